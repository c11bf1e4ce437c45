package io.linuxaio.examples.http;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What a request's {@code Accept-Encoding} fields accept (RFC 9110 § 12.5.3), for choosing between
 * a file and its precompressed siblings as nginx's {@code gzip_static} and Caddy's
 * {@code precompressed} do.
 *
 * <p>Without the field, or with an empty one, only the file itself is acceptable. A coding named
 * with {@code q=0} is refused; {@code *} stands for every coding not named; {@code x-gzip} is
 * {@code gzip}. The file itself ({@code identity}) is acceptable unless {@code identity;q=0}, or
 * {@code *;q=0} with no entry for identity, says otherwise. An element whose weight cannot be read
 * is ignored, as a field that cannot be parsed must not refuse what the client can take.
 *
 * @param br the weight of {@code br}, 0 when refused
 * @param gzip the weight of {@code gzip}, 0 when refused
 * @param identity whether the file itself, with no coding, is acceptable
 */
record AcceptEncoding(double br, double gzip, boolean identity) {

    /** The codings the server looks for, each as a sibling file with its suffix, in the order preferred on a tie. */
    enum Coding {
        BR("br", ".br"),
        GZIP("gzip", ".gz");

        final String token;
        final String suffix;

        Coding(String token, String suffix) {
            this.token = token;
            this.suffix = suffix;
        }
    }

    /** No field at all: the file itself only. */
    static final AcceptEncoding IDENTITY_ONLY = new AcceptEncoding(0, 0, true);

    /** Parses every {@code Accept-Encoding} field of a request, in order; none means {@link #IDENTITY_ONLY}. */
    static AcceptEncoding parse(List<String> fields) {
        if (fields == null || fields.isEmpty()) {
            return IDENTITY_ONLY;
        }
        double br = -1;
        double gzip = -1;
        double identity = -1;
        double any = -1;
        for (String field : fields) {
            for (String element : field.split(",")) {
                String[] parts = element.split(";");
                String coding = parts[0].strip().toLowerCase(Locale.ROOT);
                if (coding.isEmpty()) {
                    continue;
                }
                double q = weight(parts);
                if (q < 0) {
                    continue;
                }
                switch (coding) {
                    case "br" -> br = q;
                    case "gzip", "x-gzip" -> gzip = q;
                    case "identity" -> identity = q;
                    case "*" -> any = q;
                    default -> { } // a coding we never send
                }
            }
        }
        boolean identityAcceptable = identity >= 0 ? identity > 0 : any != 0;
        return new AcceptEncoding(or(br, any), or(gzip, any), identityAcceptable);
    }

    /** The weight of one coding: its own if named, else that of {@code *} if given, else refused. */
    private static double or(double named, double any) {
        return named >= 0 ? named : Math.max(any, 0);
    }

    /** The {@code q} parameter of an element, 1 without one, or -1 if it cannot be read. */
    private static double weight(String[] parts) {
        double q = 1;
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].strip();
            int eq = parameter.indexOf('=');
            if (eq < 0 || !parameter.substring(0, eq).strip().equalsIgnoreCase("q")) {
                continue;
            }
            String value = parameter.substring(eq + 1).strip();
            // RFC 9110 § 12.4.2: "0" or "1", then a dot and at most three digits.
            if (!value.matches("0(\\.\\d{0,3})?|1(\\.0{0,3})?")) {
                return -1;
            }
            q = Double.parseDouble(value.endsWith(".") ? value + "0" : value);
        }
        return q;
    }

    /** The weight given to {@code coding}; 0 when refused. */
    double weight(Coding coding) {
        return coding == Coding.BR ? br : gzip;
    }

    /**
     * The codings the client accepts, by falling weight (br before gzip on a tie): the siblings to
     * look for, in order. Empty when it accepts none, which costs the server no probe at all.
     */
    List<Coding> probeOrder() {
        if (br <= 0 && gzip <= 0) {
            return List.of();
        }
        List<Coding> order = new ArrayList<>(2);
        for (Coding coding : Coding.values()) {
            if (accepts(coding)) {
                order.add(coding);
            }
        }
        order.sort(Comparator.comparingDouble((Coding c) -> -weight(c))); // stable: ties keep br first
        return order;
    }

    /** Whether a sibling in this coding may be sent. */
    boolean accepts(Coding coding) {
        return weight(coding) > 0;
    }
}
