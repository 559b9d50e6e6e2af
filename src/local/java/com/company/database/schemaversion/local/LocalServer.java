package com.company.database.schemaversion.local;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;

/**
 * How every local endpoint (SSM, KMS, Lambda, the registry) listens: on the loopback address only, with a few
 * daemon threads, so an endpoint left open never keeps the JVM alive.
 */
final class LocalServer {
    private LocalServer() {
    }

    /** Started: {@code port} 0 takes any free port. */
    static HttpServer start(int port, HttpHandler handler, int threads, String threadName) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", handler);
        server.setExecutor(Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return server;
    }

    static String endpoint(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }
}
