package io.visionstream.kafka.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Security of the local broker started with {@code --secure}: a SASL_SSL listener for clients
 * (SCRAM-SHA-512 over TLS), one SCRAM user per component, and the files clients need, all kept in
 * {@code <data dir>/secure/} (created on the first secure start, reused after):
 *
 * <ul>
 *   <li>{@code credentials.properties}: every user's password and the key and trust store password
 *       (owner-only permissions, like every file here);</li>
 *   <li>{@code ca.p12}: a local certificate authority (EC P-256, ten years, made with the JDK's
 *       keytool); {@code truststore.p12} and {@code ca.crt} (PEM): its certificate, for clients;</li>
 *   <li>{@code broker.p12}: the broker's key and its certificate for 127.0.0.1 and localhost,
 *       signed by that authority (a year; made anew when it has expired);</li>
 *   <li>{@code <user>.properties}: a Kafka client configuration per user (security protocol,
 *       mechanism, JAAS login, trust store), for {@code --client-config} and
 *       {@code visionstream.kafka.client-config}.</li>
 * </ul>
 *
 * The broker's own traffic uses listeners clients are not given: inter-broker requests a SCRAM
 * (SASL_PLAINTEXT) listener and the KRaft controller a PLAIN one, both on 127.0.0.1 and both as
 * {@code admin}, the only super user. Authorization is KRaft's {@code StandardAuthorizer}, deny
 * by default; {@link LocalKafkaAcls} holds what each user may do.
 */
public final class LocalKafkaSecurity {

  private static final Logger log = LoggerFactory.getLogger(LocalKafkaSecurity.class);

  /** The users, one per component. */
  public enum User {
    /** Super user: the broker itself, topic set-up, ACLs, the operators' tools (policy CLI, demo). */
    ADMIN,
    CLASSIFIER,
    MODERATION,
    /** The load test. */
    LOADTEST;

    /** The SCRAM user name, e.g. {@code classifier}. */
    public String username() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The Kafka principal, e.g. {@code User:classifier}. */
    public String principal() {
      return "User:" + username();
    }
  }

  /** Subdirectory of the data directory holding everything above. */
  public static final String DIR = "secure";
  public static final String MECHANISM = "SCRAM-SHA-512";
  private static final String CREDENTIALS = "credentials.properties";
  private static final String STORE_PASSWORD = "store.password";

  /**
   * The broker certificate's validity: from {@code startDaysAgo} days ago for {@code days} days.
   * {@link #STANDARD} is valid for a year from now; tests make expired ones.
   */
  public record Certificate(int startDaysAgo, int days) {
    public static final Certificate STANDARD = new Certificate(0, 365);

    /** A certificate that expired yesterday. */
    public static Certificate expired() {
      return new Certificate(3, 2);
    }
  }

  private final Path dir;
  private final Map<User, String> passwords;
  private final String storePassword;

  private LocalKafkaSecurity(Path dir, Map<User, String> passwords, String storePassword) {
    this.dir = dir;
    this.passwords = passwords;
    this.storePassword = storePassword;
  }

  /**
   * The security of the broker in {@code dataDir}: credentials and certificate made on the first
   * call and reused after; a certificate that has expired (or expires within a day) is made anew,
   * unless {@code certificate} asks for a past one.
   */
  public static LocalKafkaSecurity prepare(Path dataDir, Certificate certificate) {
    Path dir = dataDir.resolve(DIR);
    try {
      Files.createDirectories(dir);
      restrict(dir, "rwx------");
      Properties stored = new Properties();
      Path credentials = dir.resolve(CREDENTIALS);
      if (Files.exists(credentials)) {
        try (InputStream in = Files.newInputStream(credentials)) {
          stored.load(in);
        }
      }
      SecureRandom random = new SecureRandom();
      Map<User, String> passwords = new LinkedHashMap<>();
      for (User user : User.values()) {
        passwords.put(user, stored.computeIfAbsent(user.username() + ".password", k -> secret(random)).toString());
      }
      String storePassword = stored.computeIfAbsent(STORE_PASSWORD, k -> secret(random)).toString();
      write(credentials, stored, "passwords of the local broker's users and of its key and trust stores");
      LocalKafkaSecurity security = new LocalKafkaSecurity(dir, passwords, storePassword);
      security.ensureCertificate(certificate);
      for (User user : User.values()) {
        Properties client = new Properties();
        client.putAll(security.clientConfig(user));
        write(security.clientConfigFile(user), client, "Kafka client configuration for " + user.principal()
            + " on the local broker");
      }
      return security;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the local broker's security in " + dir, e);
    }
  }

  /**
   * The security of the broker that runs (or ran) with {@code dataDir}, as it prepared it: its
   * credentials read, nothing written or made.
   *
   * @throws IllegalStateException if no secured broker prepared {@code dataDir}
   */
  public static LocalKafkaSecurity load(Path dataDir) {
    Path dir = dataDir.resolve(DIR);
    Properties stored = new Properties();
    try (InputStream in = Files.newInputStream(dir.resolve(CREDENTIALS))) {
      stored.load(in);
    } catch (IOException e) {
      throw new IllegalStateException("no secured broker's credentials in " + dir + ": " + e, e);
    }
    Map<User, String> passwords = new LinkedHashMap<>();
    for (User user : User.values()) {
      passwords.put(user, stored.getProperty(user.username() + ".password"));
    }
    return new LocalKafkaSecurity(dir, passwords, stored.getProperty(STORE_PASSWORD));
  }

  /** Every password this broker's users and stores have: what no log or answer may contain. */
  public List<String> secrets() {
    List<String> secrets = new ArrayList<>(passwords.values());
    secrets.add(storePassword);
    return secrets;
  }

  /** The directory with the credentials, certificates and client configurations. */
  public Path dir() {
    return dir;
  }

  public String password(User user) {
    return passwords.get(user);
  }

  /** The Kafka client configuration of {@code user}, without bootstrap servers. */
  public Map<String, String> clientConfig(User user) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("security.protocol", "SASL_SSL");
    config.put("sasl.mechanism", MECHANISM);
    config.put("sasl.jaas.config", scramLogin(user.username(), password(user)));
    config.put("ssl.truststore.location", truststore().toAbsolutePath().toString());
    config.put("ssl.truststore.type", "PKCS12");
    config.put("ssl.truststore.password", storePassword);
    return config;
  }

  /** {@code <user>.properties}: {@link #clientConfig} as a file, for tools and services. */
  public Path clientConfigFile(User user) {
    return dir.resolve(user.username() + ".properties");
  }

  public Path truststore() {
    return dir.resolve("truststore.p12");
  }

  /** The broker certificate in PEM, for clients that take {@code ssl.truststore.type=PEM}. */
  public Path certificatePem() {
    return dir.resolve("ca.crt");
  }

  /**
   * Broker properties for a client listener on {@code port}, the inter-broker listener on
   * {@code internalPort} and the controller on {@code controllerPort}, all on 127.0.0.1.
   */
  Properties brokerProperties(int port, int internalPort, int controllerPort) {
    Properties p = new Properties();
    p.setProperty("listeners", "SASL_SSL://127.0.0.1:" + port + ",INTERNAL://127.0.0.1:" + internalPort
        + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.setProperty("advertised.listeners", "SASL_SSL://127.0.0.1:" + port + ",INTERNAL://127.0.0.1:" + internalPort);
    p.setProperty("listener.security.protocol.map", "SASL_SSL:SASL_SSL,INTERNAL:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
    p.setProperty("inter.broker.listener.name", "INTERNAL");
    p.setProperty("sasl.mechanism.inter.broker.protocol", MECHANISM);
    p.setProperty("sasl.mechanism.controller.protocol", "PLAIN");
    p.setProperty("listener.name.sasl_ssl.sasl.enabled.mechanisms", MECHANISM);
    p.setProperty("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    p.setProperty("listener.name.sasl_ssl.ssl.keystore.location", dir.resolve("broker.p12").toAbsolutePath().toString());
    p.setProperty("listener.name.sasl_ssl.ssl.keystore.type", "PKCS12");
    p.setProperty("listener.name.sasl_ssl.ssl.keystore.password", storePassword);
    p.setProperty("listener.name.sasl_ssl.ssl.key.password", storePassword);
    p.setProperty("listener.name.internal.sasl.enabled.mechanisms", MECHANISM);
    p.setProperty("listener.name.internal.scram-sha-512.sasl.jaas.config", scramLogin(User.ADMIN.username(),
        password(User.ADMIN)));
    p.setProperty("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
    p.setProperty("listener.name.controller.plain.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule "
        + "required username=\"admin\" password=\"" + password(User.ADMIN) + "\" user_admin=\"" + password(User.ADMIN) + "\";");
    p.setProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    p.setProperty("allow.everyone.if.no.acl.found", "false");
    p.setProperty("super.users", User.ADMIN.principal());
    return p;
  }

  /** {@code kafka-storage format} arguments that create every user's SCRAM credentials. */
  List<String> scramFormatArguments() {
    List<String> args = new ArrayList<>();
    for (User user : User.values()) {
      args.add("--add-scram");
      args.add(MECHANISM + "=[name=" + user.username() + ",password=" + password(user) + "]");
    }
    return args;
  }

  /** The admin's client configuration on the inter-broker listener (for readiness and ACLs). */
  Map<String, Object> internalAdminConfig(int internalPort) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("bootstrap.servers", "127.0.0.1:" + internalPort);
    config.put("security.protocol", "SASL_PLAINTEXT");
    config.put("sasl.mechanism", MECHANISM);
    config.put("sasl.jaas.config", scramLogin(User.ADMIN.username(), password(User.ADMIN)));
    return config;
  }

  static String scramLogin(String username, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + username + "\" password=\""
        + password + "\";";
  }

  private void ensureCertificate(Certificate certificate) throws IOException {
    Path keystore = dir.resolve("broker.p12");
    boolean standard = certificate.equals(Certificate.STANDARD);
    if (Files.exists(keystore) && standard) {
      Instant notAfter = notAfter(keystore);
      if (notAfter.isAfter(Instant.now().plus(Duration.ofDays(1)))) {
        return;
      }
      log.info("The local broker's certificate expires {}; making a new one", notAfter);
    }
    Path ca = dir.resolve("ca.p12");
    if (!Files.exists(ca)) {
      // the trust anchor clients keep: ten years, so that renewing the broker's certificate changes nothing for them
      for (String file : List.of("ca.p12", "truststore.p12", "ca.crt")) {
        Files.deleteIfExists(dir.resolve(file));
      }
      keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
          "-dname", "CN=visionstream local broker CA", "-ext", "bc:c", "-validity", "3650",
          "-keystore", ca.toString(), "-storetype", "PKCS12", "-storepass", storePassword, "-keypass", storePassword);
      keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", storePassword,
          "-file", certificatePem().toString());
      keytool("-importcert", "-noprompt", "-alias", "ca", "-file", certificatePem().toString(),
          "-keystore", truststore().toString(), "-storetype", "PKCS12", "-storepass", storePassword);
    }
    // the broker's key, with a certificate for 127.0.0.1 and localhost signed by the CA
    Files.deleteIfExists(keystore);
    Path request = dir.resolve("broker.csr");
    Path signed = dir.resolve("broker.crt");
    keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=localhost, OU=visionstream local broker", "-keystore", keystore.toString(), "-storetype", "PKCS12",
        "-storepass", storePassword, "-keypass", storePassword);
    keytool("-certreq", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", storePassword,
        "-file", request.toString());
    keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", storePassword,
        "-infile", request.toString(), "-outfile", signed.toString(), "-ext", "SAN=ip:127.0.0.1,dns:localhost",
        "-ext", "EKU=serverAuth", "-startdate", "-" + certificate.startDaysAgo() + "d",
        "-validity", Integer.toString(certificate.days()));
    keytool("-importcert", "-noprompt", "-alias", "ca", "-file", certificatePem().toString(),
        "-keystore", keystore.toString(), "-storepass", storePassword);
    keytool("-importcert", "-alias", "broker", "-file", signed.toString(), "-keystore", keystore.toString(),
        "-storepass", storePassword, "-keypass", storePassword);
    Files.deleteIfExists(request);
    Files.deleteIfExists(signed);
    for (String file : List.of("ca.p12", "broker.p12", "truststore.p12", "ca.crt")) {
      restrict(dir.resolve(file), "rw-------");
    }
  }

  private Instant notAfter(Path keystore) throws IOException {
    try (InputStream in = Files.newInputStream(keystore)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, storePassword.toCharArray());
      return ((X509Certificate) store.getCertificate("broker")).getNotAfter().toInstant();
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read " + keystore + ": " + e.getMessage(), e);
    }
  }

  /** Runs the JDK's keytool; its output (never a password) in the exception if it fails. */
  private static void keytool(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IOException("keytool " + args[0] + " failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running keytool", e);
    }
  }

  private static String secret(SecureRandom random) {
    byte[] bytes = new byte[18];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * Writes {@code key=value} lines, unescaped (readable by other clients than Java's, e.g. kcat),
   * owner-only. The values never hold a backslash or a line break.
   */
  private static void write(Path file, Properties properties, String comment) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp);
    restrict(tmp, "rw-------");
    StringBuilder text = new StringBuilder("# ").append(comment).append('\n');
    for (String key : new java.util.TreeSet<>(properties.stringPropertyNames())) {
      String value = properties.getProperty(key);
      if (value.indexOf('\\') >= 0 || value.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("unexpected character in the value of " + key);
      }
      text.append(key).append('=').append(value).append('\n');
    }
    Files.writeString(tmp, text);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static void restrict(Path path, String permissions) throws IOException {
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the directory's own protection applies
    }
  }
}
