package io.linuxaio.examples.http;

import io.linuxaio.Stat;
import java.time.Instant;

/**
 * A file's validators and the conditional headers that test them (RFC 9110 § 8.8 and § 13).
 *
 * <p>The ETag is strong: inode, size and modification time to the nanosecond, so any change to the
 * contents that the file system records changes it.
 *
 * @param etag the quoted strong entity-tag
 * @param lastModified the modification time, truncated to the second as HTTP dates are
 */
record Validators(String etag, Instant lastModified) {

    static Validators of(Stat stat) {
        Instant mtime = stat.mtime();
        long nanos = mtime.getEpochSecond() * 1_000_000_000L + mtime.getNano();
        String etag = "\"" + Long.toHexString(stat.ino()) + "-" + Long.toHexString(stat.size())
                + "-" + Long.toHexString(nanos) + "\"";
        return new Validators(etag, Instant.ofEpochSecond(mtime.getEpochSecond()));
    }

    /**
     * The validators of the same file sent in a content coding: the entity-tag names the coding,
     * so a cache never takes one representation's bytes for another's even if the sibling file
     * were a hard link to the original.
     */
    Validators inCoding(String coding) {
        return new Validators(etag.substring(0, etag.length() - 1) + "-" + coding + "\"", lastModified);
    }

    /**
     * Whether a GET or HEAD should be answered 304: {@code If-None-Match} decides when present (weak
     * comparison); otherwise {@code If-Modified-Since}, if it is a valid date not in the future.
     */
    boolean notModified(String ifNoneMatch, String ifModifiedSince, Instant now) {
        if (ifNoneMatch != null) {
            return matchesWeakly(ifNoneMatch);
        }
        Instant since = HttpDates.parse(ifModifiedSince);
        return since != null && !since.isAfter(now) && !lastModified.isAfter(since);
    }

    /**
     * Whether an {@code If-Range} value lets the Range header apply: a strong match of the
     * entity-tag, or exactly the Last-Modified date. Anything else, malformed included, means
     * the whole file is sent.
     */
    boolean rangeAllowed(String ifRange) {
        if (ifRange == null) {
            return true;
        }
        String value = ifRange.trim();
        if (value.startsWith("\"") || value.startsWith("W/")) {
            return value.equals(etag); // A weak tag never matches strongly.
        }
        Instant date = HttpDates.parse(value);
        return date != null && date.equals(lastModified);
    }

    /** Whether a comma-separated list of entity-tags (or {@code *}) holds ours, ignoring weakness. */
    private boolean matchesWeakly(String list) {
        for (String element : list.split(",")) {
            String tag = element.trim();
            if (tag.equals("*")) {
                return true;
            }
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.equals(etag)) {
                return true;
            }
        }
        return false;
    }
}
