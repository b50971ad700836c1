using System.Text.RegularExpressions;
using VexaService.Gateway.Auth;
using VexaService.Caching;

namespace VexaService.UnitTests.Libraries;

/// <summary>The services meet in Redis: its keys are a schema, named in one place (<see cref="RedisKeys"/>), issue 30 part 3.</summary>
public sealed partial class RedisKeysTests
{
    // A string (or interpolated string) starting with one of the catalogue's key prefixes.
    [GeneratedRegex("""\$?"(auth:token|ratelimit:|transcript:|webhook-test:|wholesaler:)""")]
    private static partial Regex KeyLiteral();

    [Fact]
    public void No_service_builds_a_redis_key_outside_the_catalogue()
    {
        var root = FindRoot();
        var services = Path.Combine(root, "services");
        var offenders = Directory.EnumerateFiles(services, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains("WholesalerEmulator", StringComparison.Ordinal) // the emulator plays Vexa, not us
                && Path.GetFileName(path) != "RedisKeys.cs")
            .SelectMany(path => File.ReadLines(path).Select((line, i) => (path, line, i)))
            .Where(x => KeyLiteral().IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(root, x.path)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.True(offenders.Count == 0, "Redis keys built outside RedisKeys:\n" + string.Join("\n", offenders));
        // The scan finds what it looks for: the catalogue itself has them.
        Assert.Contains(File.ReadLines(Path.Combine(services, "Libraries", "Caching", "RedisKeys.cs")), line => KeyLiteral().IsMatch(line));
    }

    [Fact]
    public void A_cached_key_lookup_starts_with_its_user_id_where_the_edge_script_reads_it()
    {
        // EdgeLookup's script takes the user id with '^(%d+):' to build the user's transcript route key.
        var cached = new KeyGrant(4711, 12, ["bots", "transcripts"], DateTime.UtcNow.AddDays(1)).ToCache();
        Assert.Equal("4711", Regex.Match(cached, "^([0-9]+):").Groups[1].Value);
        Assert.Equal("transcript:route:v2:4711:google_meet:abc-defg-hij", RedisKeys.TranscriptRoute(4711, "google_meet:abc-defg-hij"));
        Assert.StartsWith(RedisKeys.TranscriptRoutePrefix, RedisKeys.TranscriptRoute(1, "zoom:1"), StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_of_different_kinds_never_collide()
    {
        // The live copy's freshness mark extends the live copy's key; no other kind is a prefix of another's instance.
        var keys = new[]
        {
            RedisKeys.AuthToken("ab"), RedisKeys.RateLimit("ab", 10_000, 0), RedisKeys.TranscriptRoute(1, "zoom:1"),
            RedisKeys.TranscriptBody("ab"), RedisKeys.TranscriptRouteGeneration(1, "zoom:1"), RedisKeys.TranscriptFinal(1),
            RedisKeys.TranscriptLive(1), RedisKeys.TranscriptLiveFresh(1), RedisKeys.WebhookTestCooldown(1),
            RedisKeys.WholesalerRunningBots("s"), RedisKeys.WholesalerRunningBotsLast("s"), RedisKeys.WholesalerBudget("s"), RedisKeys.WholesalerThrottledUntil("s"),
        };
        Assert.Equal(keys.Length, keys.Distinct().Count());
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "aspire-manifest.json")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("aspire-manifest.json not found above " + AppContext.BaseDirectory);
    }
}
