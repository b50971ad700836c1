using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Wholesaler;

namespace VexaService.IntegrationTests.Generations;

/// <summary>
/// A stack whose emulator plays one Vexa (<see cref="Generation"/>) and whose services are told nothing of it
/// (<c>Wholesaler:Generation=auto</c>): they learn it from the probes, as in a deployment. Its own emulator and database.
/// The emulator's own rate limits are off here (they are the budget tests' subject), statuses step every 150 ms.
/// </summary>
public abstract class GenerationStack : RetailerFixture
{
    public abstract string Generation { get; }

    protected override bool OwnDatabase => true;

    protected override void ConfigureEmulator(Dictionary<string, string?> settings)
    {
        settings["Emulator:Behaviour"] = Generation;
        settings["Emulator:GenerationLimits"] = "false";
        settings["Emulator:StatusStepMs"] = "150";
    }

    protected override void ConfigureServices(Dictionary<string, string?> settings) => settings["Wholesaler:Generation"] = "auto";

    /// <summary>As WebhookRegistration does it (today's Vexa: our signing secret and every event), at once, so that no
    /// bot of a test starts before it.</summary>
    protected override Task RegisterCallbackAsync(string url) => Wholesaler.PutAsJsonAsync("/user/webhook", new JsonObject
    {
        ["webhook_url"] = url,
        ["webhook_secret"] = SigningSecret,
        ["webhook_events"] = new JsonObject
        {
            ["meeting.started"] = true, ["meeting.status_change"] = true, ["meeting.completed"] = true, ["bot.failed"] = true,
        },
    });

    /// <summary>The secret our services register, derived from the system key.</summary>
    public string SigningSecret => new WholesalerOptions { ApiKey = TestEnvironment.WholesalerKey }.WebhookSigningSecret();

    /// <summary>Which Vexa BotManager believes the emulator is.</summary>
    public async Task<string> DetectedAsync() =>
        (await BotManager.Services.GetRequiredService<VexaService.Wholesaler.Generations.CurrentGeneration>().GetAsync(CancellationToken.None)).Name;
}

public sealed class September2025Stack : GenerationStack
{
    public override string Generation => "2025-09";
}

public sealed class Vexa012Stack : GenerationStack
{
    public override string Generation => "0.12";
}

public sealed class Hosted15Stack : GenerationStack
{
    public override string Generation => "1.5";
}

[CollectionDefinition(Name)]
public sealed class September2025Collection : ICollectionFixture<September2025Stack>
{
    public const string Name = "vexa-2025-09";
}

[CollectionDefinition(Name)]
public sealed class Vexa012Collection : ICollectionFixture<Vexa012Stack>
{
    public const string Name = "vexa-0.12";
}

[CollectionDefinition(Name)]
public sealed class Hosted15Collection : ICollectionFixture<Hosted15Stack>
{
    public const string Name = "vexa-1.5";
}
