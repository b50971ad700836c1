using Microsoft.Extensions.Options;
using VexaService.WholesalerEmulator.Models;

namespace VexaService.WholesalerEmulator.Services;

/// <summary>The Vexa version the emulator plays now: from the options at start, changed by <c>PUT /_emulator/behaviour</c>.</summary>
public sealed class EmulatorBehaviour(IOptions<EmulatorOptions> options)
{
    private volatile BehaviourSettings _current = FromOptions(options.Value);

    public BehaviourSettings Current
    {
        get => _current;
        set => _current = value;
    }

    public BehaviourSettings Configured => FromOptions(options.Value);

    public void Reset() => _current = Configured;

    private static BehaviourSettings FromOptions(EmulatorOptions o) => new(o.Behaviour, o.StatusStepMs, o.RefuseAdmission, o.RateLimitBurst, o.RateLimitPerSecond,
        o.SegmentIntervalMs, o.MaxSegmentsPerMeeting, o.GenerationLimits);
}
