using System.Text.Json;
using System.Text.Json.Nodes;
using VexaService.WholesalerEmulator.Models;
using VexaService.WholesalerEmulator.Services;
using VexaDateTime = VexaService.Contracts.VexaDateTime;

namespace VexaService.WholesalerEmulator.Validation;

/// <summary>Bodies of the emulator's own control endpoints, validated with the same 422 shape as Vexa's.</summary>
public static class EmulatorRequests
{
    /// <summary><c>{"latency_ms": int, "error_rate": 0.0-1.0, "error_status": int, "mode": "normal"|"refuse"|"hang"|"lose_answer",
    /// "answer_delay_ms": int, "ignore_meeting_id": bool}</c>; omitted fields take their defaults.</summary>
    public static bool TryReadFaults(JsonBody body, out FaultSettings faults, out ValidationErrorBody errors)
    {
        var reader = new BodyReader();
        faults = FaultSettings.None;
        if (reader.TryRoot(body, out var root))
        {
            var latency = Number(reader, root, "latency_ms", FaultSettings.None.LatencyMs, 0, 600_000, integer: true);
            var rate = Number(reader, root, "error_rate", FaultSettings.None.ErrorRate, 0, 1, integer: false);
            var status = Number(reader, root, "error_status", FaultSettings.None.ErrorStatus, 400, 599, integer: true);
            var mode = OneOf(reader, root, "mode", FaultState.Modes, FaultSettings.None.Mode);
            var answerDelay = Number(reader, root, "answer_delay_ms", FaultSettings.None.AnswerDelayMs, 0, 600_000, integer: true);
            var ignoreMeetingId = Boolean(reader, root, "ignore_meeting_id", FaultSettings.None.IgnoreMeetingId);
            faults = new FaultSettings((int)latency, rate, (int)status, mode, (int)answerDelay, ignoreMeetingId);
        }
        errors = reader.Errors;
        return !reader.HasErrors;
    }

    /// <summary><c>{"version": "dfc7c83e"|"2025-09"|"0.12"|"1.5", "generation_limits": bool, "status_step_ms": int, "refuse_admission": bool, "rate_limit_burst": int,
    /// "rate_limit_per_second": float, "segment_interval_ms": int, "max_segments": int}</c>; omitted fields
    /// take the configured values.</summary>
    public static bool TryReadBehaviour(JsonBody body, BehaviourSettings configured, out BehaviourSettings settings, out ValidationErrorBody errors)
    {
        var reader = new BodyReader();
        settings = configured;
        if (reader.TryRoot(body, out var root))
        {
            var version = OneOf(reader, root, "version", BehaviourSettings.Versions, configured.Version);
            var step = Number(reader, root, "status_step_ms", configured.StatusStepMs, 0, 3_600_000, integer: true);
            var refuse = Boolean(reader, root, "refuse_admission", configured.RefuseAdmission);
            var burst = Number(reader, root, "rate_limit_burst", configured.RateLimitBurst, 0, 1_000_000, integer: true);
            var perSecond = Number(reader, root, "rate_limit_per_second", configured.RateLimitPerSecond, 0, 1_000_000, integer: false);
            var interval = Number(reader, root, "segment_interval_ms", configured.SegmentIntervalMs, 1, 3_600_000, integer: true);
            var maxSegments = Number(reader, root, "max_segments", configured.MaxSegments, 0, 1_000_000, integer: true);
            var limits = Boolean(reader, root, "generation_limits", configured.GenerationLimits);
            settings = new BehaviourSettings(version, (int)step, refuse, (int)burst, perSecond, (int)interval, (int)maxSegments, limits);
        }
        errors = reader.Errors;
        return !reader.HasErrors;
    }

    /// <summary><c>{"platform", "native_meeting_id", "status": any text (a status Vexa may add), "start_time", "end_time":
    /// ISO 8601 or null, "segments": int or null}</c>.</summary>
    public static bool TryReadStagedMeeting(JsonBody body, int maxSegments, out StagedMeeting staged, out ValidationErrorBody errors)
    {
        var reader = new BodyReader();
        staged = null!;
        if (reader.TryRoot(body, out var root))
        {
            var platform = reader.Platform(root, "platform", "body", "platform");
            var nativeId = reader.Str(root, "native_meeting_id", required: true, "body", "native_meeting_id");
            var status = reader.Str(root, "status", required: true, "body", "status");
            var start = Time(reader, root, "start_time");
            var end = Time(reader, root, "end_time");
            int? segments = root.TryGetProperty("segments", out var given) && given.ValueKind != JsonValueKind.Null
                ? (int)Number(reader, root, "segments", 0, 0, maxSegments, integer: true) : null;
            if (string.IsNullOrWhiteSpace(status) && !reader.HasErrors)
            {
                reader.Add(PydanticErrors.Error("ensure this value has at least 1 characters", "value_error.any_str.min_length",
                    new JsonObject { ["limit_value"] = 1 }, "body", "status"));
            }
            staged = new StagedMeeting(platform!, nativeId!, status!, start, end, segments);
        }
        errors = reader.Errors;
        return !reader.HasErrors;
    }

    private static DateTime? Time(BodyReader reader, JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind == JsonValueKind.String && VexaDateTime.TryParse(value.GetString(), out var time))
        {
            return time;
        }
        reader.Add(PydanticErrors.Error("invalid datetime format", "value_error.datetime", null, "body", name));
        return null;
    }

    /// <summary><c>{"exit_code": int}</c>; an empty body means exit code 0.</summary>
    public static bool TryReadExitCode(JsonBody body, out int exitCode, out ValidationErrorBody errors)
    {
        var reader = new BodyReader();
        exitCode = 0;
        if (body.Kind != JsonBodyKind.Missing && reader.TryRoot(body, out var root))
        {
            exitCode = (int)Number(reader, root, "exit_code", 0, int.MinValue, int.MaxValue, integer: true);
        }
        errors = reader.Errors;
        return !reader.HasErrors;
    }

    /// <summary>A string field that must be one of <paramref name="allowed"/> (pydantic's enum error otherwise).</summary>
    private static string OneOf(BodyReader reader, JsonElement root, string name, IReadOnlyList<string> allowed, string fallback)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
        if (!allowed.Contains(text))
        {
            reader.Add(PydanticErrors.Error(
                "value is not a valid enumeration member; permitted: " + string.Join(", ", allowed.Select(a => $"'{a}'")),
                "type_error.enum",
                new JsonObject { ["enum_values"] = new JsonArray(allowed.Select(a => (JsonNode?)a).ToArray()) }, "body", name));
        }
        return text;
    }

    private static bool Boolean(BodyReader reader, JsonElement root, string name, bool fallback)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }
        reader.Add(PydanticErrors.Error("value could not be parsed to a boolean", "type_error.bool", null, "body", name));
        return fallback;
    }

    private static double Number(BodyReader reader, JsonElement root, string name, double fallback, double min, double max, bool integer)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number)
            || (integer && !value.TryGetInt64(out _)))
        {
            reader.Add(integer ? PydanticErrors.NotInteger("body", name)
                : PydanticErrors.Error("value is not a valid float", "type_error.float", null, "body", name));
            return fallback;
        }
        if (number < min)
        {
            reader.Add(PydanticErrors.Error($"ensure this value is greater than or equal to {min}", "value_error.number.not_ge",
                new JsonObject { ["limit_value"] = min }, "body", name));
        }
        else if (number > max)
        {
            reader.Add(PydanticErrors.Error($"ensure this value is less than or equal to {max}", "value_error.number.not_le",
                new JsonObject { ["limit_value"] = max }, "body", name));
        }
        return number;
    }
}
