package dev.archon.sync.engine.delta;

import dev.archon.sync.engine.plan.TableFingerprint;
import dev.archon.sync.pg.Catalog;
import dev.archon.sync.pg.Sql;
import dev.archon.sync.pg.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The two server-side passes of a row delta on one side, each a single statement:
 * {@link #buckets} — per bucket of primary keys, its row count and a SHA-256 over its sorted row digests
 * (only these cross the network) — then {@link #rows} — the key and row digest of every row in the buckets
 * that differ. A row's digest is the fingerprint's ({@link TableFingerprint#rowDigest}).
 *
 * Buckets: an integer key is cut into ranges ({@code key >> bits}, a floor division, so negative keys are
 * fine): rows written together — a crawl's pages, a source's deletion — sit in a few neighbouring buckets,
 * and the second pass reads those ranges through the primary-key index. Any other key (uuid, text,
 * composite) has no useful order — random uuids scatter a crawl over the whole range — so it is bucketed by
 * a hash of its text (the first 16 bits of its SHA-256, cut to {@code bits}): still only the changed buckets'
 * rows are digested twice, at the price of a sequential scan of the keys.
 *
 * A table read by its buckets has its fingerprint composed from them ({@link #composedDigest}), and a side that
 * knows what the last sync left in each bucket ({@link BucketMemory}) digests only the buckets whose row versions
 * moved since ({@link #bucketsSince}).
 *
 * @param bits range width 2^bits keys, or 2^bits hash buckets; chosen from the source so both sides agree
 */
public record BucketDigests(PrimaryKey key, boolean range, int bits) {
    /**
     * About this many rows per bucket: 13.7k buckets for 218k crawled pages (~2 MB of digests when a side is read
     * whole, none when the bucket memory holds). Small, because a change scattered over the table (a re-crawl of
     * whole sources) touches about one bucket per changed row, and every row of a touched bucket is digested again
     * on both sides: at 64 rows a bucket, a 1% re-crawl touched 44% of the rows.
     */
    static final int ROWS_PER_BUCKET = 16;

    /**
     * One bucket: how many rows, the digest of their sorted row digests (hex), and the digest of where they are
     * stored — their row versions, {@code (ctid, xmin)} — which says, without reading a value, whether anyone
     * wrote to the bucket since: verification's check of the buckets a delta did not touch.
     */
    public record Bucket(long rows, String digest, String versions) {
    }

    /** The same rows in both (count and contents; where they are stored aside); two absent buckets are the same. */
    static boolean sameRows(Bucket a, Bucket b) {
        return a == null ? b == null : b != null && a.rows == b.rows && a.digest.equals(b.digest);
    }

    /**
     * A row's version: its place and the transaction that wrote it (a ctid's text ends in ')', so the two cannot
     * run together). Qualified: beside a join, an unqualified system column is not found.
     */
    private String rowVersion() {
        return "convert_to(" + rowVersionText() + ", 'UTF8')";
    }

    /** The same as text, as {@link #rows} returns it ({@link BucketRows} hashes its UTF-8 bytes, as the server does). */
    private String rowVersionText() {
        return key.table().sql() + ".ctid::text || " + key.table().sql() + ".xmin::text";
    }

    /** The transaction that wrote a row version as {@link #rows} returns it: the xmin after the ctid's ')'. */
    static String writerOf(String version) {
        return version.substring(version.indexOf(')') + 1);
    }

    /** Per bucket: rows, contents digest, versions digest. */
    private static final String BUCKET_DIGESTS = "count(*), encode(sha256(coalesce(string_agg(d, ''::bytea ORDER BY d), ''::bytea)), 'hex'), "
            + "encode(sha256(coalesce(string_agg(v, ''::bytea ORDER BY v), ''::bytea)), 'hex')";

    /**
     * The bucketing in words — kind, width, key columns — as the last sync's bucket memory ({@link BucketMemory})
     * names it, and as a composed fingerprint says which buckets it is over.
     */
    public String id() {
        return (range ? "range/" : "hash/") + bits + "/" + Sql.identList(key.columns());
    }

    /** The bucketing {@link #id} names, for this key; empty when it names another key or is not one. */
    static Optional<BucketDigests> parse(PrimaryKey key, String id) {
        String[] parts = id == null ? new String[0] : id.split("/", 3);
        if (parts.length != 3 || !(parts[0].equals("range") || parts[0].equals("hash")) || !parts[1].matches("[0-9]{1,2}")
                || !parts[2].equals(Sql.identList(key.columns())) || (parts[0].equals("range") && !key.integer())) {
            return Optional.empty();
        }
        return Optional.of(new BucketDigests(key, parts[0].equals("range"), Integer.parseInt(parts[1])));
    }

    /** Whether this bucketing still fits the rows the other was chosen for: the same kind, within 4× in width. */
    boolean fitsLike(BucketDigests chosen) {
        return range == chosen.range && key.columns().equals(chosen.key.columns()) && Math.abs(bits - chosen.bits) <= 2;
    }

    /**
     * The fingerprint digest of a bucketed table: SHA-256 over its buckets in order, each its number, row count and
     * contents digest, named by the bucketing (so that digests over different bucketings never compare equal). The
     * buckets partition the rows and each digest is exact over its bucket's rows, so it is equal exactly when the
     * rows are — as exact as the plain fingerprint ({@link TableFingerprint}), and composed from bucket digests
     * alone: a side that re-reads only its moved buckets ({@link #bucketsSince}) still has one.
     */
    String composedDigest(Map<Long, Bucket> buckets) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (Long b : new TreeMap<>(buckets).keySet()) {
            Bucket x = buckets.get(b);
            sha.update((b + ":" + x.rows() + ":" + x.digest() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return "buckets/" + id() + "/" + HexFormat.of().formatHex(sha.digest());
    }

    /**
     * This side's buckets, knowing what the last sync left in them ({@link BucketMemory.OneSide}): where the table's
     * row versions are still those recorded, all of it, nothing read; else one scan of the row versions (the table's
     * main fork only) finds the buckets whose versions moved, and only those are read ({@link #inBuckets}). A bucket
     * whose versions moved was written to and most likely differs, so its rows are read at once ({@link #rows}) and
     * its digest computed from them: the comparison of rows that follows does not read this side again. In the
     * caller's transaction.
     */
    Since bucketsSince(Connection c, BucketMemory.OneSide last) throws SQLException {
        if (last.untouched()) {
            return new Since(last.buckets(), 0, BucketRows.none());
        }
        Map<Long, String> now = versions(c);
        Set<Long> moved = new HashSet<>(now.keySet());
        moved.addAll(last.buckets().keySet());
        moved.removeIf(b -> last.buckets().containsKey(b) && last.buckets().get(b).versions().equals(now.get(b)));
        BucketRows rows = rows(c, moved);
        Map<Long, Bucket> out = new HashMap<>(rows.buckets());
        now.keySet().stream().filter(b -> !moved.contains(b)).forEach(b -> out.put(b, last.buckets().get(b)));
        return new Since(out, moved.size(), rows);
    }

    /**
     * A side's buckets, how many of them were digested to know them (the others were remembered), and the rows of
     * those digested row by row.
     */
    record Since(Map<Long, Bucket> buckets, int digested, BucketRows rows) {
    }

    /** The bucketing for this key, from the source's rows and key range (read through the key's index). */
    static BucketDigests choose(Connection source, PrimaryKey key, long rows) throws SQLException {
        long wanted = Math.max(1, rows / ROWS_PER_BUCKET);
        if (!key.integer()) {
            return new BucketDigests(key, false, Math.min(16, 64 - Long.numberOfLeadingZeros(wanted)));
        }
        String k = Sql.ident(key.columns().get(0));
        long span;
        try (PreparedStatement ps = source.prepareStatement("SELECT coalesce(max(" + k + ")::numeric - min(" + k + ") + 1, 1) FROM "
                + key.table().sql()); ResultSet rs = ps.executeQuery()) {
            rs.next();
            span = rs.getBigDecimal(1).min(java.math.BigDecimal.valueOf(Long.MAX_VALUE / 2)).longValue();
        }
        long width = Math.max(1, span / wanted);
        return new BucketDigests(key, true, Math.min(62, 63 - Long.numberOfLeadingZeros(width)));
    }

    /** The bucket a row is in, as SQL over the table's columns. */
    String bucketOf() {
        if (range) {
            return "(" + Sql.ident(key.columns().get(0)) + "::bigint >> " + bits + ")";
        }
        return "(('x' || substr(encode(sha256(convert_to(" + key.asText() + ", 'UTF8')), 'hex'), 1, 4))::bit(16)::int >> "
                + (16 - bits) + ")::bigint";
    }

    /** Pass one, in the caller's transaction: every bucket's count and digests. */
    Map<Long, Bucket> buckets(Connection c) throws SQLException {
        return bucketDigests(c, rowsAndVersions(c, "") + "SELECT b, " + BUCKET_DIGESTS + " FROM r GROUP BY b");
    }

    /** Every bucket's row versions, no value read (a scan of the table's main fork, nothing detoasted or digested). */
    public Map<Long, String> versions(Connection c) throws SQLException {
        Map<Long, String> out = new HashMap<>();
        String sql = "SELECT b, encode(sha256(string_agg(v, ''::bytea ORDER BY v)), 'hex') FROM (SELECT " + bucketOf() + " AS b, "
                + rowVersion() + " AS v FROM " + key.table().sql() + ") r GROUP BY b";
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getLong(1), rs.getString(2));
            }
        }
        return out;
    }

    /** Runs a bucket statement: {@code b} then {@link #BUCKET_DIGESTS}. */
    private static Map<Long, Bucket> bucketDigests(Connection c, String sql) throws SQLException {
        Map<Long, Bucket> out = new HashMap<>();
        TableFingerprint.pinForDigests(c);
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getLong(1), new Bucket(rs.getLong(2), rs.getString(3), rs.getString(4)));
            }
        }
        return out;
    }

    /** The rows' bucket, digest and version as a CTE the server's workers compute ({@link TableFingerprint#digestedRows}). */
    private String rowsAndVersions(Connection c, String where) throws SQLException {
        return TableFingerprint.digestedRows(bucketOf() + " AS b, " + rowDigest(c) + " AS d, " + rowVersion() + " AS v", key.table(), where);
    }

    /** Beyond this many key ranges a sequential scan with a hashed bucket test beats the ranges' OR (tested per row). */
    static final int MAX_KEY_RANGES = 32;

    /**
     * Only the rows of some buckets, as a WHERE clause of numbers this class computed (no parameter): an integer
     * key's buckets as key ranges, neighbouring buckets merged — a crawl's new pages are one range — which the
     * planner reads through the key's index (a join against an array of buckets was estimated at a third of
     * the table per bucket and read by a sequential scan). Changes scattered over more than
     * {@value #MAX_KEY_RANGES} ranges (a re-crawl of whole sources), and any other key, by the bucket number in
     * a constant array, which PostgreSQL (14+) tests by hashing: one pass over the keys, the values of the chosen
     * buckets' rows only read and digested.
     */
    private String inBuckets(Collection<Long> which) {
        List<Long> sorted = which.stream().sorted().toList();
        List<String> ranges = range ? keyRanges(sorted) : List.of();
        if (!range || ranges.size() > MAX_KEY_RANGES) {
            return " WHERE " + bucketOf() + " = ANY('{" + sorted.stream().map(String::valueOf).collect(Collectors.joining(","))
                    + "}'::bigint[])";
        }
        return " WHERE " + String.join(" OR ", ranges);
    }

    /** Sorted range buckets as key ranges, neighbours merged. */
    private List<String> keyRanges(List<Long> sorted) {
        String k = Sql.ident(key.columns().get(0));
        List<String> ranges = new ArrayList<>();
        for (int i = 0; i < sorted.size(); ) {
            long first = sorted.get(i);
            long last = first;
            while (++i < sorted.size() && sorted.get(i) == last + 1) {
                last = sorted.get(i);
            }
            long hi = last + 1;
            boolean bounded = hi <= (Long.MAX_VALUE >> bits); // the last bucket of the bigint range has no upper bound
            ranges.add("(" + k + " >= " + (first << bits) + (bounded ? " AND " + k + " < " + (hi << bits) : "") + ")");
        }
        return ranges;
    }

    /**
     * Pass two: the rows of {@code buckets}, each its key (one text per column), digest and row version. In the
     * caller's transaction.
     */
    BucketRows rows(Connection c, Collection<Long> buckets) throws SQLException {
        Map<Long, Map<List<String>, BucketRows.Row>> out = new HashMap<>();
        if (buckets.isEmpty()) {
            return BucketRows.none();
        }
        TableFingerprint.pinForDigests(c);
        String sql = "SELECT " + bucketOf() + ", " + key.textColumns("") + ", " + rowDigest(c) + ", "
                + rowVersionText() + " FROM " + key.table().sql()
                + inBuckets(buckets);
        int n = key.columns().size();
        // fetched whole, not through a cursor: a statement run with a fetch count gets no parallel workers
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String[] k = new String[n];
                for (int i = 0; i < n; i++) {
                    k[i] = rs.getString(i + 2);
                }
                out.computeIfAbsent(rs.getLong(1), x -> new HashMap<>()).put(List.of(k),
                        new BucketRows.Row(rs.getBytes(n + 2), rs.getString(n + 3)));
            }
        }
        return new BucketRows(new HashSet<>(buckets), out);
    }

    /**
     * Beyond this many transactions among the rows a delta kept, verification digests every row of the buckets it wrote
     * instead of only the rows written since preflight (a target written by this tool's syncs holds a handful; one
     * written by Archon's crawls row batch by row batch, thousands).
     */
    static final int MAX_KEPT_WRITERS = 1000;

    /**
     * Verification's read of the buckets a delta wrote, in the transaction that wrote them: each row's version, and the
     * digest of the rows no transaction among {@code keptWriters} wrote (the xmins of the rows the delta kept: a row
     * version whose xmin is not one of them was written since preflight — by this transaction, whatever savepoints it
     * took, or by another session). Every other row there must be one preflight digested, which its version finds
     * ({@link RowDelta#kept}): the rows left in place are not read again. Bucket → its rows (digest null: not digested).
     */
    Map<Long, List<BucketRows.Row>> afterWrite(Connection c, Collection<Long> buckets, Set<String> keptWriters) throws SQLException {
        Map<Long, List<BucketRows.Row>> out = new HashMap<>();
        if (buckets.isEmpty()) {
            return out;
        }
        TableFingerprint.pinForDigests(c);
        boolean byWriter = !keptWriters.isEmpty() && keptWriters.size() <= MAX_KEPT_WRITERS
                && keptWriters.stream().allMatch(x -> x.matches("[0-9]{1,10}"));
        // a constant array: the server tests it by hashing, and its workers compute the digests
        String digest = byWriter ? "CASE WHEN " + key.table().sql() + ".xmin = ANY('{" + String.join(",", keptWriters)
                + "}'::xid[]) THEN NULL ELSE " + rowDigest(c) + " END" : rowDigest(c);
        String sql = "SELECT " + bucketOf() + ", " + rowVersionText() + ", " + digest + " FROM " + key.table().sql() + inBuckets(buckets);
        // fetched whole, not through a cursor: a statement run with a fetch count gets no parallel workers
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getLong(1), x -> new ArrayList<>()).add(new BucketRows.Row(rs.getBytes(3), rs.getString(2)));
            }
        }
        return out;
    }

    /** The fingerprint's row digest over this side's columns (sides may order their columns differently). */
    String rowDigest(Connection c) throws SQLException {
        return TableFingerprint.rowDigest(new Catalog(c).columns(List.of(key.table())).get(key.table()),
                TableFingerprint.sendFunctions(c, key.table()));
    }
}
