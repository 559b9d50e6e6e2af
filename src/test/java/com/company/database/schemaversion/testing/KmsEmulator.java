package com.company.database.schemaversion.testing;

import com.company.database.schemaversion.local.KmsEndpoint;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The tests' KMS ({@link KmsEndpoint}: GenerateMac and VerifyMac, keys named by id, ARN, alias or alias ARN), in
 * memory, recording every request. It starts with no key: an account where the registration template was not
 * deployed.
 */
public final class KmsEmulator extends KmsEndpoint {
    private static final String ACCOUNT = "123456789012";
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());

    public KmsEmulator() throws IOException {
        super("kms-emulator", "arn:aws:kms:us-east-1:" + ACCOUNT);
    }

    /** Creates an HMAC_256 key (KeyUsage GENERATE_VERIFY_MAC) and returns its ARN (every key here is us-east-1's). */
    public String createHmacKey(String region) {
        return createHmacKey();
    }

    /** Creates a key that exists but is not for MACs (e.g. a SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key). */
    public String createEncryptionKey(String region) {
        return createEncryptionKey();
    }

    /** Every request as "Target body". */
    public List<String> requests() {
        synchronized (requests) {
            return new ArrayList<>(requests);
        }
    }

    public void reset() {
        clearKeys();
        requests.clear();
    }

    @Override
    protected void received(String target, String body) {
        requests.add(target + " " + body);
    }
}
