package com.company.database.schemaversion.local;

import com.company.database.schemaversion.testing.OciTestImages;
import com.company.database.schemaversion.testing.OciTestImages.Entry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The local ECS's image reader on what image writers produce: long names (PAX, GNU), links, whiteouts, the
 * executable bit, gzip and plain layers, and image indexes, every blob checked against its digest.
 */
class OciImagesTest {
    /** Not under java.io.tmpdir: the rpdk wrapper empties that folder on every call. */
    private final Path dir = Path.of("target", "oci-images-tests", UUID.randomUUID().toString()).toAbsolutePath();

    @AfterEach
    void clean() throws IOException {
        if (Files.exists(dir)) {
            try (var all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void extractsLayersInOrderWithLongNamesLinksWhiteoutsAndModes() throws Exception {
        String deep = "opt/schemaversion-runner/lib/" + "a-rather-long-directory-name-".repeat(4) + "/library.jar";
        String deeper = "opt/schemaversion-runner/lib/" + "another-long-directory-name-".repeat(4) + "/other.jar";
        OciTestImages.Written image = OciTestImages.write(dir.resolve("layout"), List.of(
                List.of(Entry.directory("opt/"), Entry.paxPath(deep), Entry.file("PaxHeaders/short", text("jar")),
                        Entry.gnuLongName(deeper), Entry.file("././@LongLink", text("other")),
                        Entry.executable("opt/bin/run", text("#!/bin/sh\n")),
                        Entry.file("opt/gone.txt", text("x")), Entry.file("opt/cache/a", text("a")),
                        Entry.file("opt/original", text("same bytes"))),
                List.of(Entry.file("opt/.wh.gone.txt", new byte[0]), Entry.file("opt/cache/.wh..wh..opq", new byte[0]),
                        Entry.file("opt/cache/b", text("b")), Entry.hardlink("opt/linked", "opt/original"),
                        Entry.symlink("opt/current", "schemaversion-runner"))),
                true, List.of("java"), List.of("-version"), List.of("A=1"));

        OciImages images = new OciImages(List.of(image.layout()));
        OciImages.Image resolved = images.resolve(image.reference());
        assertThat(resolved.config().entrypoint()).containsExactly("java");
        assertThat(resolved.config().cmd()).containsExactly("-version");
        assertThat(resolved.config().env()).containsExactly("A=1");
        Path root = dir.resolve("root");
        images.extract(resolved, root);

        assertThat(root.resolve(deep)).hasContent("jar");
        assertThat(root.resolve(deeper)).hasContent("other");
        assertThat(Files.isExecutable(root.resolve("opt/bin/run"))).isTrue();
        assertThat(root.resolve("opt/gone.txt")).doesNotExist();
        assertThat(root.resolve("opt/cache/a")).as("an opaque whiteout hides the lower layers' folder").doesNotExist();
        assertThat(root.resolve("opt/cache/b")).hasContent("b");
        assertThat(root.resolve("opt/linked")).hasContent("same bytes");
        assertThat(Files.readSymbolicLink(root.resolve("opt/current"))).isEqualTo(Path.of("schemaversion-runner"));
        try (var all = Files.walk(root)) {
            assertThat(all.map(p -> root.relativize(p).toString())).noneMatch(n -> n.contains("PaxHeaders") || n.contains("LongLink"));
        }
    }

    @Test
    void anIndexResolvesToItsLinuxAmd64Manifest() throws Exception {
        OciTestImages.Written image = OciTestImages.shellImage(dir.resolve("layout"), "true");
        String index = OciTestImages.index(image, "linux", "amd64");
        OciImages.Image resolved = new OciImages(List.of(image.layout())).resolve(index);
        assertThat(resolved.digest()).isEqualTo(image.reference().substring(image.reference().indexOf('@') + 1));
        assertThat(resolved.config().entrypoint()).containsExactly("/bin/sh", "-c", "true");
    }

    @Test
    void aTamperedManifestOrConfigIsRefused() throws Exception {
        OciTestImages.Written image = OciTestImages.shellImage(dir.resolve("layout"), "true");
        String hex = image.reference().substring(image.reference().indexOf("@sha256:") + 8);
        Path manifest = image.layout().resolve("blobs/sha256").resolve(hex);
        Files.writeString(manifest, Files.readString(manifest).replace("\"layers\"", "\"layers\" "));
        assertThatThrownBy(() -> new OciImages(List.of(image.layout())).resolve(image.reference()))
                .isInstanceOf(OciImages.PullException.class).hasMessageContaining("failed to verify blob sha256:" + hex);
    }
}
