package com.company.database.schemaversion.contract;

import com.company.database.schemaversion.runner.LambdaRunnerPackage;
import com.company.database.schemaversion.testing.TestLambda;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.nio.charset.StandardCharsets;

/**
 * The same contract suite in Execution.Mode VpcRunner: every input gets an Execution block, the handler
 * manages a runner function through the Lambda emulator, and the runner (run in-process by the emulator)
 * migrates the test database.
 */
class VpcRunnerModeContractTest extends AbstractContractSuite {

    @BeforeEach
    void setUpLambda() {
        TestLambda.shared().reset();
        TestLambda.shared().setPolls(1, 1, 1);
        useRunnerPackage(LambdaRunnerPackage.ofZip("contract-suite-runner".getBytes(StandardCharsets.UTF_8)));
    }

    @AfterEach
    void tearDownLambda() {
        TestLambda.shared().awaitIdle();
    }

    @Override
    protected ObjectNode adjust(ObjectNode model) {
        ObjectNode x = model.putObject("Execution");
        x.put("Mode", "VpcRunner");
        x.putArray("SubnetIds").add("subnet-0a1b2c3d4e5f60718").add("subnet-0b1b2c3d4e5f60718");
        x.putArray("SecurityGroupIds").add("sg-0a1b2c3d4e5f60718");
        x.put("RoleArn", "arn:aws:iam::123456789012:role/schemaversion-runner");
        return model;
    }
}
