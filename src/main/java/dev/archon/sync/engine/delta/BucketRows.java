package dev.archon.sync.engine.delta;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rows of some buckets as one side read them, row by row: each row's key, digest and row version. A bucket's
 * digests ({@link #buckets}) are computed from them here exactly as the server computes them in
 * {@link BucketDigests} — SHA-256 over the bucket's row digests in byte order, and over its row versions likewise —
 * so a side that read a bucket's rows has its bucket digest too, and a row delta's comparison of the rows that
 * differ needs no second read of that side.
 */
public final class BucketRows {
    /**
     * One row: its digest (the 32 bytes of SHA-256: a re-crawl's rows are held by the hundred thousand, in a heap of
     * 256 MB) and its row version ({@code ctid} then {@code xmin}, as text).
     */
    public record Row(byte[] digest, String version) {
        /** The same contents as {@code other}'s row (null: no row). */
        boolean sameAs(Row other) {
            return other != null && Arrays.equals(digest, other.digest);
        }
    }

    private final Set<Long> read;
    private final Map<Long, Map<List<String>, Row>> byBucket;

    /**
     * @param read     the buckets read (a bucket read and found empty holds no rows, and is still known)
     * @param byBucket their rows: bucket → key (one text per key column) → row
     */
    BucketRows(Set<Long> read, Map<Long, Map<List<String>, Row>> byBucket) {
        this.read = Set.copyOf(read);
        this.byBucket = byBucket;
    }

    /** Nothing read. */
    static BucketRows none() {
        return new BucketRows(Set.of(), new HashMap<>());
    }

    /** Whether this side's rows of the bucket are known. */
    boolean knows(long bucket) {
        return read.contains(bucket);
    }

    /** The rows of those of {@code buckets} this holds, by key. */
    Map<List<String>, Row> rowsIn(Collection<Long> buckets) {
        Map<List<String>, Row> out = new HashMap<>();
        buckets.forEach(b -> out.putAll(byBucket.getOrDefault(b, Map.of())));
        return out;
    }

    /** These rows and {@code more} (of other buckets). */
    BucketRows with(BucketRows more) {
        Set<Long> all = new java.util.HashSet<>(read);
        all.addAll(more.read);
        Map<Long, Map<List<String>, Row>> rows = new HashMap<>(byBucket);
        rows.putAll(more.byBucket);
        return new BucketRows(all, rows);
    }

    /** Each non-empty bucket read: its row count, contents digest and versions digest, as the server's pass gives them. */
    Map<Long, BucketDigests.Bucket> buckets() {
        Map<Long, BucketDigests.Bucket> out = new HashMap<>();
        byBucket.forEach((b, rows) -> {
            if (!rows.isEmpty()) {
                out.put(b, bucket(rows.values()));
            }
        });
        return out;
    }

    /** A bucket's digests over its rows. */
    static BucketDigests.Bucket bucket(Collection<Row> rows) {
        List<byte[]> digests = new ArrayList<>(rows.size());
        List<byte[]> versions = new ArrayList<>(rows.size());
        for (Row r : rows) {
            digests.add(r.digest());
            versions.add(r.version().getBytes(StandardCharsets.UTF_8));
        }
        return new BucketDigests.Bucket(rows.size(), sortedDigest(digests), sortedDigest(versions));
    }

    /**
     * SHA-256 over the values in byte order, hex: {@code sha256(string_agg(x, '' ORDER BY x))} over bytea, whose order
     * compares bytes unsigned and then the length.
     */
    static String sortedDigest(List<byte[]> values) {
        values.sort(Arrays::compareUnsigned);
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        values.forEach(sha::update);
        return HexFormat.of().formatHex(sha.digest());
    }
}
