package io.twingress.twin;

import static io.twingress.model.TestModels.assertAdtError;
import static io.twingress.model.TestModels.json;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PatchOperationTest {

    private static PatchOperation parseOne(String path) {
        return PatchOperation.parseAll(json("[{'op':'add','path':'" + path + "','value':1}]")).get(0);
    }

    @ParameterizedTest(name = "{0} names {1}")
    @CsvSource(delimiter = '|', value = {
            "/m/a~1b  | a/b",
            "/m/a~0b  | a~b",
            "/m/~01   | ~1",
            "/m/~10   | /0",
            "/m/~0~1  | ~/",
    })
    void pointerEscapesAreDecoded(String path, String token) {
        PatchOperation op = parseOne(path);
        assertThat(op.path()).containsExactly("m", token);
        assertThat(op.pointer()).isEqualTo(path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/m/~2", "/m/~", "/m~/x", "/~a", "/m/a~"})
    void aTildeThatIsNotAnEscapeIsRefused(String path) {
        assertAdtError(() -> parseOne(path), 400, "JsonPatchInvalid", "Operation 0", "'" + path + "'", "~0", "~1");
    }
}
