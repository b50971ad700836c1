using System.Text.Json.Nodes;
using VexaService.WholesalerEmulator.Generations;

namespace VexaService.WholesalerEmulator.Services;

/// <summary>One status change of a meeting, for the v1 webhooks of 0.12 and 1.5 (vexa-0.12.md §4).</summary>
/// <param name="Target">Where the meeting's webhooks go (captured when its bot started); null: nowhere.</param>
/// <param name="Meeting">The full meeting as the generation writes it.</param>
public sealed record V1Change(EmulatedGeneration Generation, WebhookTarget? Target, JsonObject Meeting, string? ConnectionId,
    string? From, string To, string? Reason, string Source, string? Timestamp, string? CompletionReason, string? FailureStage);
