package dev.archon.sync.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Request bodies read exactly as written: {@code "force": 1} or {@code "force": "true"} is not a
 * boolean (a data-loss override must be meant), a key given twice is an error rather than "the last
 * one wins", and nothing may follow the JSON value. {@link StrictJsonErrors} says what was wrong.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        mapper.configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false);
        for (LogicalType type : new LogicalType[] {LogicalType.Boolean, LogicalType.Textual, LogicalType.Integer,
                LogicalType.Float}) {
            mapper.coercionConfigFor(type)
                    .setCoercion(CoercionInputShape.Integer, onlyIf(type == LogicalType.Integer || type == LogicalType.Float))
                    .setCoercion(CoercionInputShape.Float, onlyIf(type == LogicalType.Float))
                    .setCoercion(CoercionInputShape.String, onlyIf(type == LogicalType.Textual))
                    .setCoercion(CoercionInputShape.Boolean, onlyIf(type == LogicalType.Boolean))
                    .setCoercion(CoercionInputShape.EmptyString, onlyIf(type == LogicalType.Textual))
                    .setCoercion(CoercionInputShape.Array, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Object, CoercionAction.Fail);
        }
    }

    /** Converts (TryConvert) a JSON value of this shape only where the type accepts the shape; else fails. */
    private static CoercionAction onlyIf(boolean ownShape) {
        return ownShape ? CoercionAction.TryConvert : CoercionAction.Fail;
    }
}
