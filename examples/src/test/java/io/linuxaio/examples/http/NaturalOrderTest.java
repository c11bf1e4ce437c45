package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NaturalOrderTest {
    private static final NaturalOrder ORDER = NaturalOrder.INSTANCE;

    @Test
    void numbersCompareByValueAndLettersWithoutCase() {
        // Ties (case, leading zeros) in code point order: "01" before "1", "A" before "a"; '-' sorts before digits.
        List<String> expected = List.of("", "0", "01", "1", "2", "9", "10", "099", "100", "A", "a", "a-1", "a0", "a1",
                "a2", "a10", "a10b", "apple", "Apple2", "b", "file-1.txt", "file-2.txt", "file-10.txt", "file-10.txt.gz",
                "File-11.txt", "z", "Zebra", "\u00e9t\u00e9");
        for (long seed = 0; seed < 20; seed++) {
            List<String> shuffled = new ArrayList<>(expected);
            Collections.shuffle(shuffled, new Random(seed));
            shuffled.sort(ORDER);
            assertEquals(expected, shuffled);
        }
    }

    @Test
    void onlyTheSameNameComparesEqualAndTheOrderIsConsistent() {
        Random random = new Random(7);
        String alphabet = "aAbB0019-._\u00e9";
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            StringBuilder name = new StringBuilder();
            for (int n = random.nextInt(6); n > 0; n--) {
                name.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            names.add(name.toString());
        }
        for (String a : names) {
            for (String b : names) {
                int ab = Integer.signum(ORDER.compare(a, b));
                assertEquals(-ab, Integer.signum(ORDER.compare(b, a)), a + " / " + b);
                assertEquals(a.equals(b), ab == 0, a + " / " + b);
                if (ab < 0) {
                    for (String c : names) {
                        if (ORDER.compare(b, c) < 0) {
                            assertTrue(ORDER.compare(a, c) < 0, a + " < " + b + " < " + c);
                        }
                    }
                }
            }
        }
    }
}
