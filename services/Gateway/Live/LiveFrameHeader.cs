using System.Text.Json;

namespace VexaService.Gateway.Live;

/// <summary>The <c>type</c> and <c>meeting</c> of a Wholesaler <c>/ws</c> frame, read without building the rest of it:
/// 2025-09 names a meeting by platform and native id only; Vexa 0.12 (and the hosted 1.5) by its row id
/// (<paramref name="WholesalerId"/>), which a bot's own frames carry alone.</summary>
public readonly record struct LiveFrameHeader(string Type, string? Platform, string? NativeId, long? WholesalerId = null)
{
    /// <returns>Null when the frame is not a JSON object with a string <c>type</c>.</returns>
    public static LiveFrameHeader? Read(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
            string? type = null, platform = null, nativeId = null;
            long? wholesalerId = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    type = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("meeting"u8))
                {
                    reader.Read();
                    (platform, nativeId, wholesalerId) = Meeting(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            return type is null ? null : new LiveFrameHeader(type, platform, nativeId, wholesalerId);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static (string? Platform, string? NativeId, long? WholesalerId) Meeting(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return (null, null, null);
        }
        string? platform = null, nativeId = null;
        long? wholesalerId = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isPlatform = reader.ValueTextEquals("platform"u8);
            var isNativeId = reader.ValueTextEquals("native_id"u8);
            var isId = reader.ValueTextEquals("id"u8);
            reader.Read();
            var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            if (isId && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var id))
            {
                wholesalerId = id;
            }
            reader.Skip();
            (platform, nativeId) = (isPlatform ? text : platform, isNativeId ? text : nativeId);
        }
        return (platform, nativeId, wholesalerId);
    }
}
