package dev.archon.sync.engine;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Which database wins: the source's rows replace the target's. */
public enum Direction {
    LOCAL_TO_REMOTE("local-to-remote"),
    REMOTE_TO_LOCAL("remote-to-local");

    private final String wire;

    Direction(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    public String sourceName() {
        return this == LOCAL_TO_REMOTE ? "local" : "remote";
    }

    public String targetName() {
        return this == LOCAL_TO_REMOTE ? "remote" : "local";
    }

    @JsonCreator
    public static Direction parse(String text) {
        for (Direction d : values()) {
            if (d.wire.equals(text)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown direction '" + text + "': use one of "
                + Arrays.stream(values()).map(Direction::wire).collect(Collectors.joining(", ")));
    }
}
