package io.starspark.model;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import io.starspark.errors.UserError;
import io.starspark.model.gguf.GgufFile;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.beans.FeatureDescriptor;

/**
 * A model's own chat template ({@code tokenizer.chat_template}), rendered with Jinjava the way Hugging Face's
 * {@code apply_chat_template} renders it with Jinja: variables {@code messages} (role/content maps),
 * {@code add_generation_prompt}, {@code bos_token}, {@code eos_token}; {@code trim_blocks} and
 * {@code lstrip_blocks} on. The rendered text is tokenized with parse-special (control tokens the template
 * writes become their ids), with one BOS where the vocabulary wants it. Note that, as in HF and
 * llama.cpp, a control-token look-alike inside a message's content is then a control token too.
 *
 * <p>Jinja features the templates use that Jinjava lacks or spells differently, handled here:
 * <ul>
 *   <li>Python string methods ({@code s.startswith(x)}, {@code endswith}, {@code split}, {@code strip},
 *       {@code lstrip}, {@code rstrip}, {@code upper}, {@code lower}, {@code replace}, {@code title}): an EL
 *       resolver in front of Jinjava's answers them for strings, with Python's semantics (split on a literal
 *       separator, strip of a character set);</li>
 *   <li>{@code raise_exception(msg)} (HF's helper): a function that fails the render with the template's message;</li>
 *   <li>{@code strftime_now(fmt)} (Llama 3.1+ templates): today's date, formatted for the common
 *       {@code %d %b %Y}-style directives;</li>
 *   <li>whitespace control ({@code {{- x -}}}, {@code {%- tag -%}}): Jinjava ignores it on expressions, so the
 *       whitespace it strips is removed from the source before parsing, for tags too, as Jinja does;</li>
 *   <li>{@code x[::-1]} (a reversed sequence; Jinjava's parser rejects a slice step) is rewritten to
 *       {@code (x|reverse)} before parsing;</li>
 *   <li>{@code namespace(a=expr, ...)}: Jinjava parses {@code a=n - 1} as {@code (a=n) - 1}, so each keyword
 *       argument's value is parenthesised before parsing; {@code namespace} itself, {@code loop.*},
 *       {@code {% break %}}/{@code {% continue %}} and negative indexes are Jinjava's own;</li>
 *   <li>any template error (unknown filter, bad syntax) fails loudly instead of Jinjava's silent empty output.</li>
 * </ul>
 * {@code tojson} is Jinjava's own and may space JSON differently from Jinja's (only tool definitions use it).
 */
public final class ChatTemplate {
    /** One chat message: role ({@code system}, {@code user}, {@code assistant}) and text. */
    public record Message(String role, String content) {
        public Message {
            if (role == null || content == null) {
                throw new IllegalArgumentException("a chat message needs a role and content");
            }
        }
    }

    private final String template;
    private final Tokenizer tokenizer;
    private final Jinjava jinjava;

    public ChatTemplate(String template, Tokenizer tokenizer) {
        this.template = jinjavaSpelling(template);
        this.tokenizer = tokenizer;
        ELResolver resolver = new CompositeELResolver() {
            {
                add(new PythonStringMethods());
                add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
            }
        };
        this.jinjava = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true)
            .withElResolver(resolver).withFailOnUnknownTokens(false).build());
        try {
            jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                ChatTemplate.class.getMethod("raiseException", String.class)));
            jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now",
                ChatTemplate.class.getMethod("strftimeNow", String.class)));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The template of {@code f} ({@code tokenizer.chat_template}), if the file has one. */
    public static Optional<ChatTemplate> from(GgufFile f, Tokenizer tokenizer) {
        if (!f.has("tokenizer.chat_template")) {
            return Optional.empty();
        }
        return Optional.of(new ChatTemplate(f.getString("tokenizer.chat_template"), tokenizer));
    }

    /** The rendered prompt text. */
    public String render(List<Message> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> msgs = new ArrayList<>();
        for (Message m : messages) {
            Map<String, Object> map = new HashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            msgs.add(map);
        }
        Map<String, Object> vars = new HashMap<>();
        vars.put("messages", msgs);
        vars.put("add_generation_prompt", addGenerationPrompt);
        vars.put("bos_token", tokenizer.bos() >= 0 ? tokenizer.piece(tokenizer.bos()) : "");
        vars.put("eos_token", tokenizer.piece(tokenizer.eos()));
        RenderResult r = jinjava.renderForResult(template, vars);
        List<TemplateError> fatal = r.getErrors().stream()
            .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL).toList();
        if (!fatal.isEmpty()) {
            Throwable cause = fatal.get(0).getException();
            while (cause != null && cause.getCause() != null) {
                cause = cause.getCause();
            }
            throw new UserError("chat template failed: " + fatal.get(0).getMessage()
                + (cause != null ? " (" + cause.getMessage() + ")" : ""), cause);
        }
        return r.getOutput();
    }

    /**
     * The ids of the rendered prompt, control tokens kept whole. BOS as llama.cpp ends up with it: added when the
     * vocabulary adds one, but once only when the template already wrote it (Llama 3's does; HF adds nothing).
     */
    public int[] encode(List<Message> messages, boolean addGenerationPrompt) {
        int[] ids = tokenizer.encodeSpecial(render(messages, addGenerationPrompt), true);
        boolean doubled = ids.length >= 2 && ids[0] == tokenizer.bos() && ids[1] == tokenizer.bos();
        return doubled ? Arrays.copyOfRange(ids, 1, ids.length) : ids;
    }

    private static final Pattern STRIP_BEFORE = Pattern.compile("\\s*(\\{[{%])-");
    private static final Pattern STRIP_AFTER = Pattern.compile("-([}%]\\})\\s*");
    private static final Pattern REVERSED = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)*)\\[::-1\\]");

    /** The Jinja source respelled where Jinjava parses it differently (see the class comment). */
    static String jinjavaSpelling(String template) {
        String t = STRIP_BEFORE.matcher(template).replaceAll("$1");
        t = STRIP_AFTER.matcher(t).replaceAll("$1");
        t = REVERSED.matcher(t).replaceAll("($1|reverse)");
        StringBuilder out = new StringBuilder(t.length() + 16);
        int from = 0;
        for (int at = t.indexOf("namespace("); at >= 0; at = t.indexOf("namespace(", from)) {
            int open = at + "namespace(".length();
            int close = closingParen(t, open);
            out.append(t, from, open);
            List<String> args = topLevelArgs(t.substring(open, close));
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                Matcher kw = KEYWORD_ARG.matcher(a);
                out.append(i > 0 ? "," : "").append(kw.matches() ? kw.group(1) + "=(" + kw.group(2) + ")" : a);
            }
            from = close;
        }
        return out.append(t.substring(from)).toString();
    }

    private static final Pattern KEYWORD_ARG = Pattern.compile("(?s)(\\s*[A-Za-z_][A-Za-z0-9_]*\\s*)=(?!=)(.*)");

    /** The index of the ')' closing the '(' just before {@code open}, skipping quoted strings. */
    private static int closingParen(String t, int open) {
        int depth = 1;
        for (int i = open; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == '\'' || c == '"') {
                i = t.indexOf(c, i + 1);
                if (i < 0) {
                    break;
                }
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if ((c == ')' || c == ']' || c == '}') && --depth == 0) {
                return i;
            }
        }
        throw new UserError("chat template: unbalanced namespace( ... )");
    }

    private static List<String> topLevelArgs(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                int end = s.indexOf(c, i + 1);
                i = end < 0 ? s.length() : end;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        if (start < s.length() || !out.isEmpty()) {
            out.add(s.substring(start));
        }
        return out;
    }

    /** HF's {@code raise_exception}: the template rejects its input (e.g. a role it does not know), a user error. */
    public static String raiseException(String message) {
        throw new UserError("chat template: " + message);
    }

    /** {@code strftime_now(fmt)}: today's date for the directives templates use (%d %-d %b %B %m %Y %y). */
    public static String strftimeNow(String format) {
        LocalDate d = LocalDate.now();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            char k = format.charAt(++i);
            switch (k) {
                case 'd' -> out.append(String.format("%02d", d.getDayOfMonth()));
                case '-' -> {
                    i++;
                    out.append(d.getDayOfMonth());
                }
                case 'b' -> out.append(d.format(DateTimeFormatter.ofPattern("MMM", Locale.ENGLISH)));
                case 'B' -> out.append(d.format(DateTimeFormatter.ofPattern("MMMM", Locale.ENGLISH)));
                case 'm' -> out.append(String.format("%02d", d.getMonthValue()));
                case 'Y' -> out.append(d.getYear());
                case 'y' -> out.append(String.format("%02d", d.getYear() % 100));
                default -> out.append('%').append(k);
            }
        }
        return out.toString();
    }

    /** Python's str methods on strings, ahead of Jinjava's resolver (which would look for Java methods). */
    static final class PythonStringMethods extends ELResolver {
        @Override
        public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
            if (!(base instanceof String s) || !(method instanceof String name)) {
                return null;
            }
            Object[] p = params == null ? new Object[0] : params;
            Object result = switch (name) {
                case "startswith" -> s.startsWith(str(p, 0));
                case "endswith" -> s.endsWith(str(p, 0));
                case "strip" -> strip(s, p.length > 0 ? str(p, 0) : null, true, true);
                case "lstrip" -> strip(s, p.length > 0 ? str(p, 0) : null, true, false);
                case "rstrip" -> strip(s, p.length > 0 ? str(p, 0) : null, false, true);
                case "split" -> split(s, p.length > 0 ? str(p, 0) : null);
                case "upper" -> s.toUpperCase(Locale.ROOT);
                case "lower" -> s.toLowerCase(Locale.ROOT);
                case "title" -> title(s);
                case "replace" -> s.replace(str(p, 0), str(p, 1));
                default -> null;
            };
            if (result != null) {
                context.setPropertyResolved(true);
            }
            return result;
        }

        private static String str(Object[] p, int i) {
            if (i >= p.length || p[i] == null) {
                throw new UserError("chat template: string method needs argument " + (i + 1));
            }
            return p[i].toString();
        }

        /** Python's strip: {@code chars} null strips whitespace, else any of those characters. */
        static String strip(String s, String chars, boolean left, boolean right) {
            int b = 0;
            int e = s.length();
            while (left && b < e && stripped(s.charAt(b), chars)) {
                b++;
            }
            while (right && e > b && stripped(s.charAt(e - 1), chars)) {
                e--;
            }
            return s.substring(b, e);
        }

        private static boolean stripped(char c, String chars) {
            return chars == null ? Character.isWhitespace(c) || Character.isSpaceChar(c) : chars.indexOf(c) >= 0;
        }

        /** Python's split: on a literal separator keeping empty parts, or on whitespace runs when none is given. */
        static List<String> split(String s, String sep) {
            if (sep == null) {
                String t = s.strip();
                return t.isEmpty() ? List.of() : Arrays.asList(t.split("\\s+"));
            }
            if (sep.isEmpty()) {
                throw new UserError("chat template: empty separator");
            }
            List<String> out = new ArrayList<>();
            int from = 0;
            for (int at = s.indexOf(sep); at >= 0; at = s.indexOf(sep, from)) {
                out.add(s.substring(from, at));
                from = at + sep.length();
            }
            out.add(s.substring(from));
            return out;
        }

        private static String title(String s) {
            StringBuilder out = new StringBuilder(s.length());
            boolean start = true;
            for (char c : s.toCharArray()) {
                out.append(start ? Character.toUpperCase(c) : Character.toLowerCase(c));
                start = !Character.isLetter(c);
            }
            return out.toString();
        }

        @Override
        public Object getValue(ELContext context, Object base, Object property) {
            return null;
        }

        @Override
        public Class<?> getType(ELContext context, Object base, Object property) {
            return null;
        }

        @Override
        public void setValue(ELContext context, Object base, Object property, Object value) {
            // not a property resolver: leaves the property unresolved for the next resolver
        }

        @Override
        public boolean isReadOnly(ELContext context, Object base, Object property) {
            return true;
        }

        @Override
        public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
            return null;
        }

        @Override
        public Class<?> getCommonPropertyType(ELContext context, Object base) {
            return null;
        }
    }
}
