package io.twingress.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.twingress.query.Query.Direction;
import io.twingress.query.Query.Edge;
import io.twingress.query.Query.Selection;

class QueryParserTest {

    private static Query parse(String query) {
        return QueryAnalyzer.analyze(Parser.parse(query));
    }

    private static void assertError(String query, int position, String expected) {
        assertThatThrownBy(() -> parse(query))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("at position " + position + ":")
                .hasMessageContaining(expected)
                .satisfies(e -> assertThat(((QueryException) e).position()).isEqualTo(position));
    }

    // ---- grammar ---------------------------------------------------------------------------------------

    @Test
    void selectForms() {
        assertThat(parse("SELECT * FROM DIGITALTWINS").selection()).isInstanceOf(Selection.All.class);
        assertThat(parse("SELECT COUNT() FROM DIGITALTWINS").selection()).isInstanceOf(Selection.Count.class);
        Query shorthand = parse("SELECT TOP (5) FROM DIGITALTWINS");
        assertThat(shorthand.selection()).as("ADT's docs write TOP without a selection").isInstanceOf(Selection.All.class);
        assertThat(shorthand.top()).isEqualTo(5);
        Query top = parse("select top ( 7 ) T from digitaltwins T");
        assertThat(top.top()).isEqualTo(7);
        assertThat(top.fromAlias()).isEqualTo("T");
        Query columns = parse("SELECT T, T.comp1.prop AS p, T.$metadata.$model FROM DIGITALTWINS T");
        assertThat(((Selection.Columns) columns.selection()).columns())
                .extracting(Query.Column::name).containsExactly("T", "p", "$model");
        assertThat(((Selection.Columns) columns.selection()).columns().get(1).path())
                .isEqualTo(new Expr.Path("T", List.of("comp1", "prop"), 11));
    }

    @Test
    void bareNamesResolveToTheUnaliasedCollection() {
        Query query = parse("SELECT * FROM DIGITALTWINS WHERE Temperature > 5");
        assertThat(query.where()).isEqualTo(new Expr.Compare(Expr.Op.GT,
                new Expr.Path(Query.IMPLICIT, List.of("Temperature"), 34), new Expr.Literal(
                        JsonNodeFactory.instance.numberNode(5L), 48), 46));
    }

    @Test
    void fromRelationshipsAndAsAlias() {
        Query query = parse("SELECT R FROM RELATIONSHIPS AS R WHERE R.$relationshipName = 'contains'");
        assertThat(query.relationships()).isTrue();
        assertThat(query.fromAlias()).isEqualTo("R");
    }

    @Test
    void joinsBecomePatternEdges() {
        Query query = parse("SELECT T, CT, R FROM DIGITALTWINS T JOIN CT RELATED T.contains R"
                + " JOIN D RELATED CT.hasDevice WHERE T.$dtId = 'ABC' AND R.cond = 'clean'");
        assertThat(query.pattern().match()).isFalse();
        assertThat(query.pattern().nodes()).containsExactly("T", "CT", "D");
        assertThat(query.pattern().edges()).containsExactly(
                new Edge("T", "CT", Set.of("contains"), Direction.OUT, 1, 1, "R", 37),
                new Edge("CT", "D", Set.of("hasDevice"), Direction.OUT, 1, 1, null, 66));
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "(a)-[]->(b);        OUT;  1; 1",
            "(a)<-[]-(b);        IN;   1; 1",
            "(a)-[]-(b);         BOTH; 1; 1",
            "(a)-[*3]->(b);      OUT;  3; 3",
            "(a)-[*1..3]->(b);   OUT;  2; 3",
            "(a)-[*0..2]-(b);    BOTH; 1; 2",
            "(a)-[*..2]->(b);    OUT;  1; 2",
            "(a)-[:x|y*..10]->(b); OUT; 1; 10"})
    void matchDirectionsAndHopRanges(String pattern, Direction direction, int min, int max) {
        Edge edge = parse("SELECT b FROM DIGITALTWINS MATCH " + pattern + " WHERE a.$dtId = 'x'").pattern().edges().get(0);
        assertThat(edge.direction()).isEqualTo(direction);
        assertThat(edge.minHops()).isEqualTo(min);
        assertThat(edge.maxHops()).isEqualTo(max);
    }

    @Test
    void matchNamesVariablesAndChains() {
        Query query = parse("SELECT a, c FROM DIGITALTWINS MATCH (a)-[r:contains|isAssociatedWith]->(b)<-[*2]-(c)"
                + " WHERE b.$dtId = 'x'");
        assertThat(query.pattern().nodes()).containsExactly("a", "b", "c");
        assertThat(query.pattern().edges()).extracting(Edge::variable).containsExactly("r", null);
        assertThat(query.pattern().edges().get(0).names()).containsExactly("contains", "isAssociatedWith");
        assertThat(query.pattern().edges().get(1).names()).isNull();
    }

    @Test
    void stringLiteralsAndEscapes() {
        Expr.Compare single = (Expr.Compare) parse("SELECT * FROM DIGITALTWINS WHERE a = 'it\\'s \"q\"'").where();
        assertThat(((Expr.Literal) single.right()).value()).isEqualTo(TextNode.valueOf("it's \"q\""));
        Expr.Compare dbl = (Expr.Compare) parse("SELECT * FROM DIGITALTWINS WHERE a = \"say \\\"hi\\\" \\u00e9\"").where();
        assertThat(((Expr.Literal) dbl.right()).value()).isEqualTo(TextNode.valueOf("say \"hi\" é"));
    }

    @Test
    void isOfModelArguments() {
        assertThat(parse("SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:a;1')").where())
                .isEqualTo(new Expr.IsOfModel(Query.IMPLICIT, "dtmi:a;1", false, 34));
        assertThat(parse("SELECT * FROM DIGITALTWINS T WHERE is_of_model(T, 'dtmi:a;1', EXACT)").where())
                .isEqualTo(new Expr.IsOfModel("T", "dtmi:a;1", true, 36));
    }

    @Test
    void logicalOperatorsFlatten() {
        Expr where = parse("SELECT * FROM DIGITALTWINS WHERE a = 1 AND b = 2 AND (c = 3 OR NOT d = 4)").where();
        assertThat(where).isInstanceOf(Expr.And.class);
        assertThat(((Expr.And) where).operands()).hasSize(3);
        assertThat(((Expr.And) where).operands().get(2)).isInstanceOf(Expr.Or.class);
    }

    @Test
    void limitsAreInclusive() {
        String fifty = String.join(" AND ", Collections.nCopies(51, "a = 1"));
        assertThat(parse("SELECT * FROM DIGITALTWINS WHERE " + fifty).where()).isInstanceOf(Expr.And.class);
        String hundred = String.join(",", Collections.nCopies(100, "'x'"));
        assertThat(parse("SELECT * FROM DIGITALTWINS WHERE a IN [" + hundred + "]").where()).isInstanceOf(Expr.In.class);
        StringBuilder joins = new StringBuilder("SELECT T FROM DIGITALTWINS T");
        for (int i = 1; i <= 5; i++) {
            joins.append(" JOIN J").append(i).append(" RELATED ").append(i == 1 ? "T" : "J" + (i - 1)).append(".r");
        }
        assertThat(parse(joins + " WHERE T.$dtId = 'x'").pattern().edges()).hasSize(5);
        assertThat(parse("SELECT b FROM DIGITALTWINS MATCH (a)-[*5]->(b)-[*..5]->(c) WHERE a.$dtId = 'x'").pattern()
                .edges()).hasSize(2);
        String padded = "SELECT * FROM DIGITALTWINS WHERE a = '" + "x".repeat(8000 - 39) + "'";
        assertThat(padded).hasSize(8000);
        assertThat(parse(padded).where()).isNotNull();
    }

    // ---- errors ----------------------------------------------------------------------------------------

    @Test
    void syntaxErrorsNameThePositionAndWhatWasExpected() {
        assertThatThrownBy(() -> parse("SELECT * FORM DIGITALTWINS"))
                .hasMessage("Syntax error at position 10: expected FROM but found 'FORM'");
        assertError("SELECT * FROM TWINS", 15, "expected DIGITALTWINS or RELATIONSHIPS but found 'TWINS'");
        assertError("SELECT * FROM DIGITALTWINS WHERE", 33, "expected a property, literal, function or '(' but found end of query");
        assertError("SELECT * FROM DIGITALTWINS WHERE a = 'open", 38, "expected a closing '");
        assertError("SELECT * FROM DIGITALTWINS WHERE a # 1", 36, "found character '#'");
        assertError("SELECT * FROM DIGITALTWINS WHERE a = 1 b", 40, "expected AND, OR or end of query but found 'b'");
        assertError("SELECT * FROM DIGITALTWINS WHERE (a = 1", 40, "expected ')'");
        assertError("", 1, "expected SELECT but found end of query");
        assertError("SELECT FROM DIGITALTWINS", 8, "expected *, COUNT(), an alias or a property path but found 'FROM'");
    }

    @Test
    void restrictionsOnJoin() {
        assertError("SELECT * FROM DIGITALTWINS T JOIN C RELATED T.contains WHERE T.$dtId = 'x'", 8,
                "SELECT * cannot be used with JOIN");
        assertError("SELECT R FROM RELATIONSHIPS R JOIN C RELATED R.contains", 31,
                "JOIN is not allowed with FROM RELATIONSHIPS");
        assertError("SELECT C FROM DIGITALTWINS T JOIN C RELATED T.contains WHERE C.name = 'x'", 30,
                "JOIN needs a $dtId filter on one of its twins; expected WHERE <alias>.$dtId = '<id>'");
        assertError("SELECT C FROM DIGITALTWINS T JOIN C RELATED T.contains WHERE T.$dtId = 'x' OR C.a = 1", 30,
                "needs a $dtId filter");
        assertError("SELECT C FROM DIGITALTWINS T JOIN C RELATED X.contains WHERE T.$dtId = 'x'", 30,
                "unknown alias 'X'; expected one of T");
        assertError("SELECT C FROM DIGITALTWINS T JOIN T RELATED T.contains WHERE T.$dtId = 'x'", 30,
                "alias 'T' is declared twice");
        StringBuilder joins = new StringBuilder("SELECT T FROM DIGITALTWINS T");
        for (int i = 1; i <= 6; i++) {
            joins.append(" JOIN J").append(i).append(" RELATED T.r");
        }
        assertError(joins + " WHERE T.$dtId = 'x'", 28 + 5 * 20 + 2, "at most 5 JOINs are allowed");
        assertError("SELECT C FROM DIGITALTWINS JOIN C RELATED T.contains", 28,
                "JOIN needs an alias for the FROM collection");
    }

    @Test
    void restrictionsOnMatch() {
        String select = "SELECT b FROM DIGITALTWINS ";
        assertError(select + "MATCH (a)-[]->(b) WHERE b.name = 'x'", 28, "MATCH needs a $dtId filter");
        assertError(select + "MATCH (a)-[]->(b) MATCH (b)-[]->(c) WHERE a.$dtId = 'x'", 46,
                "only one MATCH clause is allowed");
        assertError(select + "MATCH (a)-[*10]->(b)-[]->(c) WHERE a.$dtId = 'x'", 48, "MATCH allows at most 10 hops");
        assertError(select + "MATCH (a)-[*..11]->(b) WHERE a.$dtId = 'x'", 42, "expected a hop count from 1 to 10");
        assertError(select + "MATCH (a)-[r:contains*2]->(b) WHERE a.$dtId = 'x'", 39,
                "relationship variable 'r' is allowed only with a single hop");
        assertError(select + "MATCH (a)-[r*1..2]->(b) WHERE a.$dtId = 'x'", 39, "only with a single hop");
        assertError(select + "MATCH (a)-[*3..2]->(b) WHERE a.$dtId = 'x'", 43, "expected an upper hop bound greater than 3");
        assertError(select + "MATCH (a)<-[]->(b) WHERE a.$dtId = 'x'", 37, "a relationship cannot point both ways");
        assertError(select + "MATCH (a) WHERE a.$dtId = 'x'", 38, "expected a relationship such as -[]->");
        assertError("SELECT * FROM DIGITALTWINS MATCH (a)-[]->(b) WHERE a.$dtId = 'x'", 8,
                "SELECT * cannot be used with MATCH");
        assertError("SELECT b FROM DIGITALTWINS T MATCH (a)-[]->(b) WHERE a.$dtId = 'x'", 28,
                "FROM DIGITALTWINS takes no alias with MATCH");
        assertError("SELECT b FROM DIGITALTWINS T JOIN C RELATED T.r MATCH (a)-[]->(b)", 49,
                "JOIN and MATCH cannot be combined");
        assertError(select + "MATCH (a)-[]->(b) WHERE IS_OF_MODEL('dtmi:a;1') AND a.$dtId = 'x'", 52,
                "IS_OF_MODEL needs a twin alias as its first argument");
    }

    @Test
    void limits() {
        String fiftyOne = String.join(" OR ", Collections.nCopies(52, "a = 1"));
        assertError("SELECT * FROM DIGITALTWINS WHERE " + fiftyOne, 490, "at most 50 AND/OR operators");
        String tooMany = String.join(",", Collections.nCopies(101, "'x'"));
        assertError("SELECT * FROM DIGITALTWINS WHERE a IN [" + tooMany + "]", 40 + 100 * 4,
                "an IN or NIN list holds at most 100 values");
        assertError("SELECT * FROM DIGITALTWINS WHERE a = '" + "x".repeat(8000) + "'", 8001,
                "expected at most 8000");
        assertError("SELECT TOP(0) * FROM DIGITALTWINS", 12, "expected TOP(n) with a whole number n of at least 1");
        assertError("SELECT TOP(-1) * FROM DIGITALTWINS", 12, "whole number n of at least 1 but found '-'");
        assertError("SELECT TOP(1.5) * FROM DIGITALTWINS", 12, "whole number");
        assertError("SELECT TOP(2) COUNT() FROM DIGITALTWINS", 15, "TOP and COUNT() cannot be combined");
    }

    @Test
    void unsupportedClauses() {
        assertError("SELECT * FROM DIGITALTWINS T ORDER BY T.name", 30, "ORDER BY is not supported");
        assertError("SELECT * FROM DIGITALTWINS T WHERE T.a = 1 GROUP BY T.b", 44, "GROUP BY is not supported");
        assertError("SELECT * FROM DIGITALTWINS T WHERE T.$dtId IN (SELECT T.$dtId FROM DIGITALTWINS T)", 48,
                "subqueries are not supported");
        assertError("SELECT * FROM DIGITALTWINS T WHERE (SELECT COUNT() FROM DIGITALTWINS) > 1", 37,
                "subqueries are not supported");
    }

    @Test
    void namesAndFunctions() {
        assertError("SELECT X FROM DIGITALTWINS T", 8, "unknown alias 'X'; expected one of T");
        assertError("SELECT * FROM DIGITALTWINS T WHERE Y.a = 1", 36, "unknown alias 'Y'");
        assertError("SELECT * FROM DIGITALTWINS T WHERE FOO(T.a)", 36, "unknown function 'FOO'; expected one of IS_OF_MODEL");
        assertError("SELECT * FROM DIGITALTWINS T WHERE IS_DEFINED()", 36, "IS_DEFINED expects 1 argument but got 0");
        assertError("SELECT * FROM DIGITALTWINS T WHERE STARTSWITH(T.a)", 36, "STARTSWITH expects 2 arguments but got 1");
        assertError("SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL(T)", 36, "IS_OF_MODEL expects a model id string");
        assertError("SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:a;1', fast)", 60, "expects 'exact' or nothing");
        assertError("SELECT * FROM RELATIONSHIPS WHERE IS_OF_MODEL('dtmi:a;1')", 35, "IS_OF_MODEL applies to twins");
        assertError("SELECT T.a, T.b.a FROM DIGITALTWINS T", 13, "column name 'a' is used twice");
        assertError("SELECT T.a AS FROM FROM DIGITALTWINS T", 15, "expected a column name after AS but found 'FROM'");
    }

    @Test
    void deepNestingIsAnErrorNotAStackOverflow() {
        String deep = "SELECT * FROM DIGITALTWINS WHERE " + "(".repeat(3000) + "a = 1" + ")".repeat(3000);
        assertError(deep, 34 + 32, "nested more than 32 levels deep");
        String nots = "SELECT * FROM DIGITALTWINS WHERE " + "NOT ".repeat(1500) + "a = 1";
        assertError(nots, 34 + 32 * 4, "nested more than 32 levels deep");
        String calls = "SELECT * FROM DIGITALTWINS WHERE " + "IS_DEFINED(".repeat(600) + "a" + ")".repeat(600);
        assertThatThrownBy(() -> parse(calls)).isInstanceOf(QueryException.class).hasMessageContaining("nested");
    }
}
