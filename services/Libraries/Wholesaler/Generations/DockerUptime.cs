namespace VexaService.Wholesaler.Generations;

/// <summary>Docker's status text for a running container ("Up 5 minutes"), which 2025-09's <c>/bots/status</c> showed.</summary>
public static class DockerUptime
{
    public static string Status(TimeSpan up) => up.TotalSeconds switch
    {
        < 1 => "Up Less than a second",
        < 60 => $"Up {(int)up.TotalSeconds} seconds",
        < 120 => "Up About a minute",
        < 3600 => $"Up {(int)up.TotalMinutes} minutes",
        < 7200 => "Up About an hour",
        < 172800 => $"Up {(int)up.TotalHours} hours",
        _ => $"Up {(int)up.TotalDays} days",
    };
}
