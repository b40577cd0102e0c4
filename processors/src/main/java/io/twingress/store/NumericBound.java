package io.twingress.store;

import java.math.BigDecimal;
import java.util.List;

/**
 * A hint that a twin property is a number at most (or at least) {@code value}: a store may use it to skip twins
 * that cannot match, never to drop one that can. The caller still checks every twin it gets.
 *
 * @param path  property names from the twin's root, e.g. {@code [location, floor]}
 * @param upper true for "at most", false for "at least"
 */
public record NumericBound(List<String> path, boolean upper, BigDecimal value) {

    public NumericBound {
        path = List.copyOf(path);
    }
}
