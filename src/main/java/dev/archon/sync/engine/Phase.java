package dev.archon.sync.engine;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The seed's phases, in the order a sync passes them; each has a share of the progress bar sized by
 * what it cost in scripts/bench.sh (scale 0.25, no backup: importing 38%, indexing 59%, validating and
 * verifying 2% of the time; a backup adds about as much as the source export of the seed way). A skipped phase's share is simply jumped over, so the bar never moves backwards.
 */
public enum Phase {
    VALIDATING(0, 1),
    BACKING_UP(1, 15),
    EXPORTING(15, 16),
    IMPORTING(16, 52),
    INDEXING(52, 97),
    VERIFYING(97, 99.5),
    COMPLETED(100, 100);

    private final double startPercent;
    private final double endPercent;

    Phase(double startPercent, double endPercent) {
        this.startPercent = startPercent;
        this.endPercent = endPercent;
    }

    /** Where the progress bar stands when this phase is {@code fraction} done. */
    public double percentAt(double fraction) {
        double f = Math.max(0, Math.min(1, fraction));
        return startPercent + (endPercent - startPercent) * f;
    }

    @JsonValue
    public String wire() {
        return name().toLowerCase();
    }
}
