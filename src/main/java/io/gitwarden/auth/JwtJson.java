package io.gitwarden.auth;

import java.io.OutputStream;
import java.io.Reader;

import io.jsonwebtoken.io.AbstractDeserializer;
import io.jsonwebtoken.io.AbstractSerializer;
import io.jsonwebtoken.lang.Supplier;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;

/**
 * JJWT's JSON reader and writer on the Jackson 3 that Spring Boot already brings, found by JJWT through
 * {@code META-INF/services} as {@code jjwt-jackson}'s would be. {@code jjwt-jackson} needs Jackson 2, which
 * was a second copy of Jackson (about 500 classes loaded at every start-up) for a few small JSON objects.
 * <p>
 * Kept from {@code jjwt-jackson}: a duplicate member name is an error (a token whose header or claims name
 * {@code alg} or {@code repo} twice is refused, not read as whichever came last), JSON is read into plain maps,
 * lists, strings, numbers and booleans, and JJWT's {@link Supplier} values (JWK members) are written as what
 * they supply.
 */
public final class JwtJson {

	private static final JsonMapper MAPPER = JsonMapper.builder()
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.addModule(new SimpleModule("jjwt").addSerializer(Supplier.class, new SupplierSerializer()))
		.build();

	private JwtJson() {
	}

	/** Writes JJWT's headers, claims and JWKs. */
	public static final class Serializer extends AbstractSerializer<Object> {

		@Override
		protected void doSerialize(Object value, OutputStream out) {
			MAPPER.writeValue(out, value);
		}

	}

	/** Reads JJWT's headers, claims and JWK sets. */
	public static final class Deserializer extends AbstractDeserializer<Object> {

		@Override
		protected Object doDeserialize(Reader reader) {
			return MAPPER.readValue(reader, Object.class);
		}

	}

	@SuppressWarnings("rawtypes")
	private static final class SupplierSerializer extends ValueSerializer<Supplier> {

		@Override
		public void serialize(Supplier value, JsonGenerator generator, SerializationContext context) {
			context.writeValue(generator, value.get());
		}

	}

}
