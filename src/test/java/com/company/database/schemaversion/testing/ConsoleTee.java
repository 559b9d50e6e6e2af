package com.company.database.schemaversion.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** A stream that writes to the console as before and keeps a copy, so that a test can read what was printed. */
public final class ConsoleTee {
    private ConsoleTee() {
    }

    public static OutputStream tee(ByteArrayOutputStream copy, OutputStream original) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (copy) {
                    copy.write(b);
                }
                try {
                    original.write(b);
                } catch (IOException ignored) {
                    // the copy is what matters
                }
            }
        };
    }
}
