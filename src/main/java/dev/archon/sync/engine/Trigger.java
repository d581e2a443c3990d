package dev.archon.sync.engine;

import com.fasterxml.jackson.annotation.JsonValue;

/** Who started a sync: the dashboard/API, the nightly scheduler or the CLI script. */
public enum Trigger {
    MANUAL, SCHEDULED, CLI;

    @JsonValue
    public String wire() {
        return name().toLowerCase();
    }

    public static Trigger parse(String text) {
        return text == null ? MANUAL : valueOf(text.trim().toUpperCase());
    }
}
