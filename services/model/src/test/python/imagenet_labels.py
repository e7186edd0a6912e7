#!/usr/bin/python3
"""Prints the 1,000 ImageNet class names of torchvision (torchvision/models/_meta.py), one per
line in class-index order: the source of src/main/resources/io/visionstream/model/imagenet-labels.txt.

  imagenet_labels.py > src/main/resources/io/visionstream/model/imagenet-labels.txt
"""
from torchvision.models._meta import _IMAGENET_CATEGORIES

for name in _IMAGENET_CATEGORIES:
    print(name)
