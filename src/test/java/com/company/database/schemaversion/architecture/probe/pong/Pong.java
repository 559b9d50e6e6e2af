package com.company.database.schemaversion.architecture.probe.pong;

import com.company.database.schemaversion.architecture.probe.ping.Ping;

/** Probe: the other half of the ping -> pong -> ping cycle. */
public class Pong {
    Ping ping;
}
