package com.company.database.schemaversion.testing;

import com.company.database.schemaversion.local.AwsJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * A local stand-in for exactly the KMS calls the type makes, GenerateMac and VerifyMac, speaking AWS JSON 1.1
 * (X-Amz-Target TrentService.GenerateMac / TrentService.VerifyMac) on 127.0.0.1 so the real SDK client talks
 * to it. Shapes and errors follow the KMS API reference: blobs travel base64; a key is named by id or ARN
 * (aliases are not emulated: the type configuration names a key ARN); a MAC that does not match fails with KMSInvalidMacException (VerifyMac never answers MacValid
 * false); an unknown key is NotFoundException; a key of another usage is InvalidKeyUsageException; a message
 * outside 1..4096 bytes is ValidationException.
 */
public final class KmsEmulator implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCOUNT = "123456789012";

    private final HttpServer server;
    private final Map<String, byte[]> hmacKeys = new ConcurrentHashMap<>();
    private final Map<String, String> otherKeys = new ConcurrentHashMap<>();
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());

    public KmsEmulator() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "kms-emulator");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Creates an HMAC_256 key (KeyUsage GENERATE_VERIFY_MAC) and returns its ARN. */
    public String createHmacKey(String region) {
        String arn = "arn:aws:kms:" + region + ":" + ACCOUNT + ":key/" + java.util.UUID.randomUUID();
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        hmacKeys.put(arn, secret);
        return arn;
    }

    /** Creates a key that exists but is not for MACs (e.g. a SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key). */
    public String createEncryptionKey(String region) {
        String arn = "arn:aws:kms:" + region + ":" + ACCOUNT + ":key/" + java.util.UUID.randomUUID();
        otherKeys.put(arn, "ENCRYPT_DECRYPT");
        return arn;
    }

    /** Every request as "Target body". */
    public List<String> requests() {
        synchronized (requests) {
            return new ArrayList<>(requests);
        }
    }

    public void reset() {
        hmacKeys.clear();
        otherKeys.clear();
        requests.clear();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(target + " " + body);
            JsonNode in = JSON.readTree(body.isEmpty() ? "{}" : body);
            switch (target == null ? "" : target) {
                case "TrentService.GenerateMac" -> generateMac(exchange, in);
                case "TrentService.VerifyMac" -> verifyMac(exchange, in);
                default -> AwsJson.respond(exchange, 400, AwsJson.error("UnknownOperationException", "Not emulated: " + target));
            }
        }
    }

    private void generateMac(HttpExchange ex, JsonNode in) throws IOException {
        Checked checked = check(ex, in);
        if (checked == null) {
            return;
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("Mac", Base64.getEncoder().encodeToString(hmac(checked.secret, checked.message)));
        out.put("MacAlgorithm", "HMAC_SHA_256");
        out.put("KeyId", checked.keyArn);
        AwsJson.respond(ex, 200, out);
    }

    private void verifyMac(HttpExchange ex, JsonNode in) throws IOException {
        if (!in.hasNonNull("Mac")) {
            AwsJson.respond(ex, 400, AwsJson.error("ValidationException", "1 validation error detected: Value null at 'mac' failed to satisfy constraint: Member must not be null"));
            return;
        }
        byte[] mac = Base64.getDecoder().decode(in.get("Mac").asText());
        if (mac.length < 1 || mac.length > 6144) {
            AwsJson.respond(ex, 400, AwsJson.error("ValidationException", "1 validation error detected: Value at 'mac' failed to satisfy constraint: Member must have length between 1 and 6144"));
            return;
        }
        Checked checked = check(ex, in);
        if (checked == null) {
            return;
        }
        if (!MessageDigest.isEqual(mac, hmac(checked.secret, checked.message))) {
            AwsJson.respond(ex, 400, AwsJson.error("KMSInvalidMacException", null));
            return;
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("KeyId", checked.keyArn);
        out.put("MacValid", true);
        out.put("MacAlgorithm", "HMAC_SHA_256");
        AwsJson.respond(ex, 200, out);
    }

    private record Checked(String keyArn, byte[] secret, byte[] message) {
    }

    /** The checks both operations share, in the order KMS reports them; null once an error is sent. */
    private Checked check(HttpExchange ex, JsonNode in) throws IOException {
        if (!in.hasNonNull("Message") || !in.hasNonNull("KeyId") || !in.hasNonNull("MacAlgorithm")) {
            AwsJson.respond(ex, 400, AwsJson.error("ValidationException", "KeyId, Message and MacAlgorithm are required"));
            return null;
        }
        byte[] message = Base64.getDecoder().decode(in.get("Message").asText());
        if (message.length < 1 || message.length > 4096) {
            AwsJson.respond(ex, 400, AwsJson.error("ValidationException", "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length between 1 and 4096"));
            return null;
        }
        String algorithm = in.get("MacAlgorithm").asText();
        if (!List.of("HMAC_SHA_224", "HMAC_SHA_256", "HMAC_SHA_384", "HMAC_SHA_512").contains(algorithm)) {
            AwsJson.respond(ex, 400, AwsJson.error("ValidationException", "1 validation error detected: Value '" + algorithm + "' at 'macAlgorithm' failed to satisfy constraint: Member must satisfy enum value set"));
            return null;
        }
        String keyArn = resolve(in.get("KeyId").asText());
        if (otherKeys.containsKey(keyArn)) {
            AwsJson.respond(ex, 400, AwsJson.error("InvalidKeyUsageException", keyArn + " key usage is ENCRYPT_DECRYPT which is not valid for " + (in.has("Mac") ? "VerifyMac." : "GenerateMac.")));
            return null;
        }
        byte[] secret = hmacKeys.get(keyArn);
        if (secret == null) {
            AwsJson.respond(ex, 400, AwsJson.error("NotFoundException", "Key '" + keyArn + "' does not exist"));
            return null;
        }
        if (!"HMAC_SHA_256".equals(algorithm)) {
            // An HMAC_256 key supports only HMAC_SHA_256.
            AwsJson.respond(ex, 400, AwsJson.error("InvalidKeyUsageException", "The MAC algorithm " + algorithm + " is not supported by " + keyArn));
            return null;
        }
        return new Checked(keyArn, secret, message);
    }

    /** KMS accepts a key id or its ARN (aliases are not used by the type). */
    private String resolve(String keyId) {
        if (keyId.startsWith("arn:")) {
            return keyId;
        }
        for (String arn : hmacKeys.keySet()) {
            if (arn.endsWith("/" + keyId)) return arn;
        }
        for (String arn : otherKeys.keySet()) {
            if (arn.endsWith("/" + keyId)) return arn;
        }
        return keyId;
    }

    private static byte[] hmac(byte[] secret, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
