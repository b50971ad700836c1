using System.Text.Json;

namespace VexaService.Gateway.Live;

/// <summary>The <c>type</c> and <c>meeting</c> of a Wholesaler <c>/ws</c> frame, read without building the rest of it.</summary>
public readonly record struct LiveFrameHeader(string Type, string? Platform, string? NativeId)
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
                    (platform, nativeId) = Meeting(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            return type is null ? null : new LiveFrameHeader(type, platform, nativeId);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static (string? Platform, string? NativeId) Meeting(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return (null, null);
        }
        string? platform = null, nativeId = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isPlatform = reader.ValueTextEquals("platform"u8);
            var isNativeId = reader.ValueTextEquals("native_id"u8);
            reader.Read();
            var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            reader.Skip();
            (platform, nativeId) = (isPlatform ? text : platform, isNativeId ? text : nativeId);
        }
        return (platform, nativeId);
    }
}
