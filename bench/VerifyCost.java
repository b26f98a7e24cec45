import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * What one DKIM public-key operation costs on this machine (RFC 6376 3.3 rsa-sha256 with a 2048-bit
 * key, RFC 8463 ed25519-sha256): the JDK's RSA and Ed25519 verification, Bouncy Castle's Ed25519
 * (bcprov, already on Mailflow's class path through bcpkix) for comparison, and parsing an RSA
 * public key. Microseconds per operation after a warm-up, three rounds.
 *
 * <p>Run from the project directory (the launcher has found the JDK and Maven the jar):
 * {@code java -cp ~/.m2/repository/org/bouncycastle/bcprov-jdk18on/1.87/bcprov-jdk18on-1.87.jar bench/VerifyCost.java}
 */
public class VerifyCost {

    interface Op {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        byte[] data = new byte[32];
        new SecureRandom().nextBytes(data);
        var rsaGenerator = KeyPairGenerator.getInstance("RSA");
        rsaGenerator.initialize(2048);
        var rsa = rsaGenerator.generateKeyPair();
        var signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(rsa.getPrivate());
        signer.update(data);
        byte[] rsaSignature = signer.sign();
        var ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        signer = Signature.getInstance("Ed25519");
        signer.initSign(ed.getPrivate());
        signer.update(data);
        byte[] edSignature = signer.sign();
        byte[] spki = ed.getPublic().getEncoded();
        byte[] rawKey = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
        byte[] rsaSpki = rsa.getPublic().getEncoded();
        for (int round = 0; round < 3; round++) {
            System.out.printf("rsa-sha256 2048 verify %.1f us, JDK ed25519 verify %.1f us, Bouncy Castle ed25519 verify"
                    + " %.1f us, RSA public key parsed %.1f us%n",
                    micros(() -> {
                        var v = Signature.getInstance("SHA256withRSA");
                        v.initVerify(rsa.getPublic());
                        v.update(data);
                        check(v.verify(rsaSignature));
                    }),
                    micros(() -> {
                        var v = Signature.getInstance("Ed25519");
                        v.initVerify(ed.getPublic());
                        v.update(data);
                        check(v.verify(edSignature));
                    }),
                    micros(() -> check(org.bouncycastle.math.ec.rfc8032.Ed25519.verify(edSignature, 0, rawKey, 0, data, 0,
                            data.length))),
                    micros(() -> KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(rsaSpki))));
        }
    }

    private static void check(boolean verified) {
        if (!verified) {
            throw new AssertionError("a good signature did not verify");
        }
    }

    private static double micros(Op op) throws Exception {
        for (int i = 0; i < 2000; i++) {
            op.run();
        }
        int n = 3000;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            op.run();
        }
        return (System.nanoTime() - start) / 1000.0 / n;
    }
}
