package io.shopdb.operator.sql;

import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A stored SCRAM verifier is matched as the server would; a proven pair is remembered, never a wrong one. */
class ScramVerifierTest {

    @Test
    void aMatchIsRememberedButAnotherPasswordOrVerifierIsComputedAgain() throws Exception {
        String verifier = verifier("s3cret-Pa55", "0123456789abcdef", 4096);
        assertTrue(ScramVerifier.matches(verifier, "s3cret-Pa55".toCharArray()));
        assertTrue(ScramVerifier.matches(verifier, "s3cret-Pa55".toCharArray()), "again, from what was proven");
        assertFalse(ScramVerifier.matches(verifier, "s3cret-Pa56".toCharArray()), "another password");
        assertFalse(ScramVerifier.matches(verifier, "s3cret-Pa5".toCharArray()), "a shorter password");
        String rotated = verifier("n3w-Pa55", "fedcba9876543210", 4096);
        assertFalse(ScramVerifier.matches(rotated, "s3cret-Pa55".toCharArray()), "the old password against a new verifier");
        assertTrue(ScramVerifier.matches(rotated, "n3w-Pa55".toCharArray()));
    }

    /** SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey, as PostgreSQL stores it. */
    private static String verifier(String password, String salt, int iterations) throws Exception {
        byte[] saltBytes = salt.getBytes(StandardCharsets.US_ASCII);
        byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec(password.toCharArray(), saltBytes, iterations, 256)).getEncoded();
        Mac hmac = Mac.getInstance("HmacSHA256");
        hmac.init(new SecretKeySpec(salted, "HmacSHA256"));
        byte[] clientKey = hmac.doFinal("Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
        byte[] serverKey = hmac.doFinal("Server Key".getBytes(StandardCharsets.US_ASCII));
        Base64.Encoder b64 = Base64.getEncoder();
        return "SCRAM-SHA-256$" + iterations + ":" + b64.encodeToString(saltBytes) + "$" + b64.encodeToString(storedKey) + ":"
                + b64.encodeToString(serverKey);
    }
}
