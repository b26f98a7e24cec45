package dev.mailflow.queue;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.mailflow.smtp.EnhancedStatus;
import java.io.IOException;

/**
 * The JSON form of envelopes, statuses and tracking events: record components only, an
 * enhanced status as its text (5.1.1 as a JSON string), and recipient states read in the current
 * form and in Mailflow 0.1.0's ({@link RecipientStateJson}).
 */
public final class QueueJson {

    private QueueJson() {
    }

    public static final ObjectMapper MAPPER = JsonMapper.builder().findAndAddModules()
            .addModule(module())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .visibility(PropertyAccessor.GETTER, JsonAutoDetect.Visibility.NONE)
            .visibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE)
            .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .build();

    private static SimpleModule module() {
        var m = new SimpleModule("mailflow-queue");
        m.addSerializer(EnhancedStatus.class, new StdSerializer<>(EnhancedStatus.class) {
            @Override
            public void serialize(EnhancedStatus value, JsonGenerator gen, SerializerProvider provider)
                    throws IOException {
                gen.writeString(value.toString());
            }
        });
        m.addDeserializer(EnhancedStatus.class, new StdDeserializer<>(EnhancedStatus.class) {
            @Override
            public EnhancedStatus deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                // Lenient: a code that does not parse is no code, not a message that cannot be read.
                return EnhancedStatus.parse(p.getValueAsString());
            }
        });
        m.addDeserializer(RecipientState.class, new RecipientStateJson());
        return m;
    }
}
