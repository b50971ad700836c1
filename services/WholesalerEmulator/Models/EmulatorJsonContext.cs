using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using NaiveDateTimeConverter = VexaService.Contracts.NaiveDateTimeConverter;

namespace VexaService.WholesalerEmulator.Models;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, Converters = [typeof(NaiveDateTimeConverter)])]
[JsonSerializable(typeof(MeetingResponse))]
[JsonSerializable(typeof(MeetingListResponse))]
[JsonSerializable(typeof(TranscriptResponse))]
[JsonSerializable(typeof(RunningBotsResponse))]
[JsonSerializable(typeof(UserResponse))]
[JsonSerializable(typeof(MessageResponse))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(ValidationErrorBody))]
[JsonSerializable(typeof(FaultSettings))]
[JsonSerializable(typeof(StatsResponse))]
[JsonSerializable(typeof(ExitCallbackResponse))]
[JsonSerializable(typeof(StatusChangeEvent))]
[JsonSerializable(typeof(BehaviourSettings))]
public sealed partial class EmulatorJsonContext : JsonSerializerContext
{
    /// <summary>Like FastAPI (<c>ensure_ascii=False</c>): UTF-8 text and '+' as they are, not <c>\u002B</c>.</summary>
    public static EmulatorJsonContext Web { get; } = new(Configure(new JsonSerializerOptions()));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        return options;
    }
}
