// Reference .properties reader: java.util.Properties, printed as one JSON object with sorted keys.
//   java PropsDump.java FILE...          Properties.load(InputStream): ISO-8859-1 bytes + backslash-u escapes
//   java PropsDump.java --utf8 FILE...   Properties.load(Reader) with a UTF-8 InputStreamReader
// One line per FILE, in order: {"properties":{...}} or {"error":"..."}.
// (jitsi-secure's copy of the recipe in shared/docs/research/oracles; it takes many files per JVM.)
// Output is pure ASCII: every non-ASCII char (and control char) is written as a JSON backslash-u escape,
// so it does not depend on the JVM's stdout encoding. Duplicate keys: last one wins (as in Java).
// Exit 0 = all loaded; 1 = some file had an I/O error or a malformed backslash-u escape; 2 = usage.
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.*;

public class PropsDump {
    public static void main(String[] args) {
        boolean utf8 = false;
        List<String> paths = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--utf8")) utf8 = true;
            else if (a.startsWith("--")) usage();
            else paths.add(a);
        }
        if (paths.isEmpty()) usage();
        int status = 0;
        for (String path : paths) {
            Properties p = new Properties();
            try (InputStream in = new FileInputStream(path)) {
                if (utf8) p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
                else p.load(in);
            } catch (IOException | IllegalArgumentException e) {
                // One line per file keeps the output aligned with the arguments.
                StringBuilder err = new StringBuilder("{\"error\":");
                quote(err, e.getClass().getSimpleName() + ": " + e.getMessage());
                System.out.println(err.append('}'));
                status = 1;
                continue;
            }
            StringBuilder sb = new StringBuilder("{\"properties\":{");
            boolean first = true;
            for (String k : new TreeSet<>(p.stringPropertyNames())) {  // sorted by UTF-16 code units
                if (!first) sb.append(',');
                first = false;
                quote(sb, k);
                sb.append(':');
                quote(sb, p.getProperty(k));
            }
            System.out.println(sb.append("}}"));
        }
        System.exit(status);
    }

    static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                case '\b': sb.append("\\b"); break;
                case '\f': sb.append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7e) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
            }
        }
        sb.append('"');
    }

    static void usage() {
        System.err.println("usage: PropsDump [--utf8] FILE...");
        System.exit(2);
    }
}
