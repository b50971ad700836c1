using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenTelemetry;
using VexaService.Data;

namespace VexaService.Transcripts.Webhooks;

/// <summary>
/// Wakes the <see cref="WebhookDispatcher"/> when there may be work: PostgreSQL's <c>NOTIFY webhook_deliveries</c>
/// (sent by a trigger when outbox rows are inserted, on commit, from any replica) and deliveries finishing here.
/// The listening connection is re-opened when it drops (a PostgreSQL restart); each (re)connect wakes the dispatcher
/// once, since notifications sent while it was away are lost.
/// </summary>
public sealed class OutboxSignal(IServiceScopeFactory scopes, ILogger<OutboxSignal> logger) : IAsyncDisposable
{
    public const string Channel = "webhook_deliveries";

    private static readonly TimeSpan PingAfter = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task? _listening;

    public void Start() => _listening ??= Task.Run(() => ListenAsync(_stop.Token));

    /// <summary>Asks for a pass; several asks before the next wait count as one.</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // already awake
        }
    }

    /// <returns>Whether something woke it before <paramref name="timeout"/>.</returns>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _wake.WaitAsync(timeout, ct);

    private async Task ListenAsync(CancellationToken ct)
    {
        using var untraced = SuppressInstrumentationScope.Begin(); // a connection that waits is not a trace
        var retry = TimeSpan.FromSeconds(1);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                string connectionString;
                await using (var scope = scopes.CreateAsyncScope())
                {
                    connectionString = scope.ServiceProvider.GetRequiredService<VexaDbContext>().Database.GetConnectionString()!;
                }
                await using var connection = new NpgsqlConnection(connectionString);
                connection.Notification += (_, _) => Wake();
                await connection.OpenAsync(ct);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }
                retry = TimeSpan.FromSeconds(1);
                Wake();
                while (!ct.IsCancellationRequested)
                {
                    if (!await connection.WaitAsync(PingAfter, ct))
                    {
                        // Quiet for a while: a connection PostgreSQL lost without a word still fails within seconds.
                        // (Not Npgsql's KeepAlive: its timer reads the socket synchronously under the connector's
                        // lock, racing this wait, and then holds up Npgsql's pool clearing at process exit.)
                        await using var ping = new NpgsqlCommand("SELECT 1", connection) { CommandTimeout = (int)PingAfter.TotalSeconds };
                        await ping.ExecuteNonQueryAsync(ct);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning("Listening for new webhook deliveries failed ({Error}); retrying in {Delay}", e.Message, retry);
                try
                {
                    await Task.Delay(retry, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                retry = TimeSpan.FromSeconds(Math.Min(retry.TotalSeconds * 2, 30));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_listening is not null)
        {
            await _listening;
        }
        _stop.Dispose();
    }
}
