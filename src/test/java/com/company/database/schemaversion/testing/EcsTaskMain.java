package com.company.database.schemaversion.testing;

/**
 * What the local ECS's tests put in an image: prints its greeting and the region ECS gave it, waits SLEEP_MILLIS,
 * and exits with EXIT_CODE. Plain Java, no dependencies: the image carries this one class file.
 */
public final class EcsTaskMain {
    private EcsTaskMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println("greeting=" + System.getenv("GREETING"));
        System.out.println("image=" + System.getenv("IMAGE_VARIABLE"));
        System.out.println("region=" + System.getenv("AWS_REGION"));
        System.out.println("ssm=" + System.getenv("AWS_ENDPOINT_URL_SSM"));
        System.err.println("to stderr");
        System.out.flush();
        String sleep = System.getenv("SLEEP_MILLIS");
        if (sleep != null) {
            Thread.sleep(Long.parseLong(sleep));
        }
        String code = System.getenv("EXIT_CODE");
        System.exit(code == null ? 0 : Integer.parseInt(code));
    }
}
