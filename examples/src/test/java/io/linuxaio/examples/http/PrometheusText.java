package io.linuxaio.examples.http;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: every line
 * is a {@code # HELP}, a {@code # TYPE} or a sample of a family whose type came before; anything
 * else fails the test. Samples are kept by their name and labels in a canonical order, such as
 * {@code fileserver_responses_total{status="2xx"}}.
 */
final class PrometheusText {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") .*");
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(?:\\{(.*)})? (\\S+)(?: -?\\d+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"(,|$)");

    /** Every sample's value by its series. */
    final Map<String, Double> samples = new LinkedHashMap<>();
    /** Every family's declared type by its name. */
    final Map<String, String> types = new HashMap<>();

    private PrometheusText() {}

    static PrometheusText parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new AssertionError("the exposition does not end with a line feed");
        }
        PrometheusText parsed = new PrometheusText();
        for (String line : text.split("\n")) {
            parsed.line(line);
        }
        return parsed;
    }

    private void line(String line) {
        if (line.startsWith("#")) {
            Matcher type = TYPE.matcher(line);
            if (type.matches()) {
                if (types.put(type.group(1), type.group(2)) != null) {
                    throw new AssertionError("a second TYPE for " + type.group(1));
                }
            } else if (!HELP.matcher(line).matches()) {
                throw new AssertionError("not a HELP or TYPE line: " + line);
            }
            return;
        }
        Matcher sample = SAMPLE.matcher(line);
        if (!sample.matches()) {
            throw new AssertionError("not a sample line: " + line);
        }
        String name = sample.group(1);
        String family = types.containsKey(name) ? name
                : name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name;
        String type = types.get(family);
        if (type == null) {
            throw new AssertionError("a sample before its family's TYPE: " + line);
        }
        if (type.equals("counter") && !name.endsWith("_total")) {
            throw new AssertionError("a counter sample without _total: " + line);
        }
        double value = switch (sample.group(3)) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(sample.group(3));
        };
        String series = name + labels(sample.group(2), line);
        if (samples.put(series, value) != null) {
            throw new AssertionError("a series given twice: " + series);
        }
    }

    private static String labels(String text, String line) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        Map<String, String> labels = new TreeMap<>();
        Matcher label = LABEL.matcher(text);
        int at = 0;
        while (at < text.length()) {
            if (!label.find(at) || label.start() != at) {
                throw new AssertionError("bad labels at " + at + ": " + line);
            }
            labels.put(label.group(1), label.group(2));
            at = label.end();
        }
        StringBuilder out = new StringBuilder("{");
        labels.forEach((k, v) -> out.append(out.length() > 1 ? "," : "").append(k).append("=\"").append(v).append('"'));
        return out.append('}').toString();
    }

    /** The value of a series that must be there. */
    double value(String series) {
        Double value = samples.get(series);
        if (value == null) {
            throw new AssertionError("no series " + series + " among " + samples.keySet());
        }
        return value;
    }
}
