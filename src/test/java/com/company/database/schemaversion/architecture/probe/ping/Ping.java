package com.company.database.schemaversion.architecture.probe.ping;

import com.company.database.schemaversion.architecture.probe.pong.Pong;

/** Probe: one half of a package cycle (ping -> pong -> ping), which noCycles must refuse. */
public class Ping {
    Pong pong;
}
