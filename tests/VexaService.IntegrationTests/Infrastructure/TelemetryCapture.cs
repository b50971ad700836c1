using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace VexaService.IntegrationTests.Infrastructure;

/// <summary>
/// Everything the services write down while it is attached: every log record (message, exception, state and scopes)
/// that passes the service's own log levels, every span as exported (after the service's processors) and every metric
/// measurement's tags in the process, each as text to search (a span that starts a trace begins with "root ").
/// </summary>
public sealed class TelemetryCapture : ILoggerProvider, ISupportExternalScope, IDisposable
{
    private readonly MeterListener _meters = new();
    private IExternalScopeProvider? _scopes;

    public ConcurrentQueue<string> Logs { get; } = new();
    public ConcurrentQueue<string> Spans { get; } = new();
    public ConcurrentQueue<string> Metrics { get; } = new();

    public TelemetryCapture()
    {
        _meters.InstrumentPublished = (instrument, listener) => listener.EnableMeasurementEvents(instrument);
        _meters.SetMeasurementEventCallback<double>((i, _, tags, _) => Record(i, tags));
        _meters.SetMeasurementEventCallback<long>((i, _, tags, _) => Record(i, tags));
        _meters.SetMeasurementEventCallback<int>((i, _, tags, _) => Record(i, tags));
        _meters.Start();
    }

    /// <summary>The same service, writing its logs and exported spans here as well.</summary>
    public WebApplicationFactory<T> Attach<T>(WebApplicationFactory<T> factory) where T : class =>
        factory.WithWebHostBuilder(web => web.ConfigureServices(services =>
        {
            services.AddSingleton<ILoggerProvider>(this);
            services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(new SpanExporter(Spans))));
        }));

    private void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var text = instrument.Name;
        foreach (var (key, value) in tags)
        {
            text += $" {key}={value}";
        }
        Metrics.Enqueue(text);
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() => _meters.Dispose();

    private sealed class Logger(TelemetryCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => capture._scopes?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = $"{logLevel} {category}: {formatter(state, exception)} {exception} {Describe(state)}";
            capture._scopes?.ForEachScope((scope, _) => text += " scope: " + Describe(scope), (object?)null);
            capture.Logs.Enqueue(text);
        }

        private static string Describe(object? state) => state is IEnumerable<KeyValuePair<string, object?>> pairs
            ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}"))
            : state?.ToString() ?? "";
    }

    private sealed class SpanExporter(ConcurrentQueue<string> into) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            foreach (var span in batch)
            {
                var tags = string.Join(", ", span.TagObjects.Select(t => $"{t.Key}={t.Value}"));
                var events = string.Join(", ", span.Events.Select(e => e.Name + " " + string.Join(" ", e.Tags.Select(t => $"{t.Key}={t.Value}"))));
                var root = span.ParentSpanId == default ? "root " : ""; // a trace of its own
                into.Enqueue($"{root}{span.Kind} {span.DisplayName} [{tags}] {span.StatusDescription} {events}");
            }
            return ExportResult.Success;
        }
    }
}
