package io.shopdb.operator.testing;

import io.restassured.RestAssured;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading the operator's /q/metrics in tests. */
public final class Scrapes {
    private Scrapes() {}

    public static String scrape() {
        return RestAssured.given().when().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The value of the first sample of {@code name} whose labels contain every {@code label="value"} given. */
    public static Double sample(String body, String name, String... labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)}\\s+(\\S+)").matcher(body);
        while (m.find()) {
            String l = m.group(1);
            boolean all = true;
            for (String label : labels) {
                all &= l.contains(label);
            }
            if (all) {
                return Double.parseDouble(m.group(2));
            }
        }
        return null;
    }
}
