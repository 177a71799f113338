package io.shopdb.operator.sql;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Checks a password against a stored SCRAM-SHA-256 verifier (RFC 5802/7677), the way the server does on
 * login. This lets a reconcile tell "password already set" from "password changed" without sending the
 * password or resetting it every time (which would be a write on every reconcile).
 */
public final class ScramVerifier {
    private ScramVerifier() {}

    public static boolean matches(String verifier, char[] password) {
        if (verifier == null || !verifier.startsWith("SCRAM-SHA-256$")) {
            return false;
        }
        try {
            // SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
            String[] parts = verifier.substring("SCRAM-SHA-256$".length()).split("[$:]");
            int iterations = Integer.parseInt(parts[0]);
            byte[] salt = Base64.getDecoder().decode(parts[1]);
            byte[] storedKey = Base64.getDecoder().decode(parts[2]);
            SecretKeyFactory pbkdf2 = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            byte[] salted = pbkdf2.generateSecret(new PBEKeySpec(password, salt, iterations, 256)).getEncoded();
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(salted, "HmacSHA256"));
            byte[] clientKey = hmac.doFinal("Client Key".getBytes(StandardCharsets.US_ASCII));
            byte[] expected = MessageDigest.getInstance("SHA-256").digest(clientKey);
            return MessageDigest.isEqual(expected, storedKey);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
