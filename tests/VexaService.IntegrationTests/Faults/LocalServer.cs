using System.Diagnostics;
using System.Net.Sockets;

namespace VexaService.IntegrationTests.Faults;

/// <summary>
/// A PostgreSQL or Redis server of the fault suite's own, started from the repo's scripts/local-*.sh exactly as the
/// AppHost starts them, so the suite can stop and restart it without disturbing any other test.
/// </summary>
public sealed class LocalServer(string script, string dataDirectory, int port, IReadOnlyDictionary<string, string>? environment = null)
    : IAsyncDisposable
{
    private Process? _process;

    public int Port { get; } = port;

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(RepoRoot, "scripts", script), dataDirectory, Port.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {script}");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await AcceptsAsync())
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new InvalidOperationException($"{script} on port {Port} did not start");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>A fast shutdown (SIGINT): the server closes its connections and stops, as in a restart.</summary>
    public async Task StopAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }
        using (var kill = Process.Start("kill", ["-INT", _process.Id.ToString()]))
        {
            await kill!.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
        _process.Dispose();
        _process = null;
    }

    private async Task<bool> AcceptsAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    public static string RepoRoot { get; } = FindRepoRoot();

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VexaService.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("VexaService.sln not found above the test binaries");
    }
}
