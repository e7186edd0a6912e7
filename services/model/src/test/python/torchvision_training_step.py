"""Reference for visionstream's Java training: SGD steps on torchvision's ResNet-18 with a CIFAR stem.

Loads a state dict (.npz, torchvision names and layouts), replaces torchvision's stem by a 3x3
stride-1 convolution without max-pool (as visionstream's --stem cifar), takes --steps SGD steps
(momentum, weight decay on conv/linear weights only, batch norm in training mode) on one batch,
and writes the losses, the state dict and momentum buffers after the steps, and the eval-mode
logits of the batch.
"""
import argparse
import numpy as np
import torch
import torchvision

p = argparse.ArgumentParser()
p.add_argument("--weights", required=True)
p.add_argument("--batch", required=True, help=".npz: images (float32 NHWC, normalised), labels (class indices)")
p.add_argument("--lr", type=float, required=True)
p.add_argument("--momentum", type=float, required=True)
p.add_argument("--weight-decay", type=float, required=True)
p.add_argument("--steps", type=int, required=True)
p.add_argument("--out", required=True)
a = p.parse_args()

torch.set_num_threads(2)
torch.use_deterministic_algorithms(True)
model = torchvision.models.resnet18(num_classes=10)
model.conv1 = torch.nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
model.maxpool = torch.nn.Identity()
state = {k: torch.from_numpy(v.astype(np.float32)) for k, v in np.load(a.weights).items()}
missing, unexpected = model.load_state_dict(state, strict=False)
assert not unexpected, unexpected
assert all(k.endswith("num_batches_tracked") for k in missing), missing

batch = np.load(a.batch)
x = torch.from_numpy(batch["images"]).permute(0, 3, 1, 2).contiguous()
y = torch.from_numpy(batch["labels"].astype(np.int64))
decay = [q for q in model.parameters() if q.ndim > 1]
no_decay = [q for q in model.parameters() if q.ndim <= 1]
opt = torch.optim.SGD([{"params": decay, "weight_decay": a.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
                      lr=a.lr, momentum=a.momentum)
losses = []
model.train()
for _ in range(a.steps):
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(x), y)
    losses.append(loss.item())
    loss.backward()
    opt.step()

names = {id(q): n for n, q in model.named_parameters()}
buffers = {names[id(q)]: s["momentum_buffer"].numpy() for q, s in opt.state.items()}
np.save(f"{a.out}/losses.npy", np.array(losses, dtype=np.float32))
np.savez(f"{a.out}/after.npz", **{k: v.numpy() for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")})
np.savez(f"{a.out}/momentum.npz", **buffers)
model.eval()
with torch.no_grad():
    np.save(f"{a.out}/eval-logits.npy", model(x).numpy())
