package com.company.database.schemaversion;

import com.company.database.schemaversion.aws.AwsClients;
import com.company.database.schemaversion.aws.RecordIntegrity;
import com.company.database.schemaversion.aws.SsmRecordStore;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.cloudformation.proxy.AmazonWebServicesClientProxy;
import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.ProxyClient;

/**
 * The record store of one request, signed with the account's record key when the type configuration names
 * one (Records.IntegrityKeyArn). Without a key records are plain, and anyone allowed ssm:PutParameter on
 * the records' prefix can rewrite what Read, Update and Delete act on.
 */
final class RecordProtection {
    private RecordProtection() {
    }

    static SsmRecordStore recordStore(AmazonWebServicesClientProxy proxy, ProxyClient<SsmClient> ssm, String region,
                                      TypeConfigurationModel configuration, Logger logger) {
        String keyArn = configuration == null || configuration.getRecords() == null
                ? null : configuration.getRecords().getIntegrityKeyArn();
        RecordIntegrity integrity = keyArn == null || keyArn.isBlank() ? RecordIntegrity.none()
                : RecordIntegrity.withKey(proxy.newProxy(() -> AwsClients.kms(region)), keyArn);
        return new SsmRecordStore(ssm, integrity, logger);
    }
}
