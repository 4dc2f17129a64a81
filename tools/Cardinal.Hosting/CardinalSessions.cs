using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Cardinal.Hosting;

/// <summary>
/// The named sessions of a service provider: each opened once, on first use or at start-up, shared by every caller
/// (a session is safe to use from many threads), and disposed with the provider. Inject this, or a session itself as a
/// keyed service: <c>[FromKeyedServices("resnet")] InferenceSession session</c>.
/// </summary>
public sealed class CardinalSessions : IDisposable
{
    private readonly IServiceProvider _services;
    private readonly IOptionsMonitor<CardinalSessionOptions> _options;

    internal CardinalSessions(IServiceProvider services, IOptionsMonitor<CardinalSessionOptions> options, IEnumerable<string> names)
    {
        _services = services;
        _options = options;
        _registered = new HashSet<string>(names, StringComparer.Ordinal);
    }

    private readonly ConcurrentDictionary<string, Entry> _sessions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _registered;
    private volatile bool _disposed;

    /// <summary>One name's session, opened once; a failed open is remembered (and rethrown to every caller).</summary>
    private sealed class Entry
    {
        public Entry(Func<Entry, InferenceSession> open) => Session = new(() => open(this), LazyThreadSafetyMode.ExecutionAndPublication);
        public Lazy<InferenceSession> Session { get; }
        public volatile Exception? Error;
    }

    /// <summary>The names given to <c>AddCardinalSession</c>.</summary>
    public IReadOnlyCollection<string> Names => _registered;

    /// <summary>The session named <paramref name="name"/>, opened (and warmed) on first use; the open's error otherwise, every time.</summary>
    public InferenceSession Get(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_registered.Contains(name))
            throw new InvalidOperationException($"No Cardinal session is named '{name}'; registered: {string.Join(", ", _registered.Select(n => $"'{n}'"))}. " +
                $"Add it with services.AddCardinalSession(\"{name}\", ...).");
        return _sessions.GetOrAdd(name, n => new Entry(entry => Open(n, entry))).Session.Value;
    }

    /// <summary>Whether <paramref name="name"/> is open; when not, the error its open failed with (null: not asked for yet, or still opening).</summary>
    public (bool Open, Exception? Error) State(string name) =>
        !_sessions.TryGetValue(name, out Entry? entry) ? (false, null)
        : entry.Session.IsValueCreated ? (true, null)
        : (false, entry.Error);

    private InferenceSession Open(string name, Entry entry)
    {
        try
        {
            CardinalSessionOptions o = _options.Get(name); // validated: a model source is set
            SessionOptions sessionOptions = o.ToSessionOptions(name);
            InferenceSession session;
            if (o.OpenModel is { } open)
            {
                using Stream stream = open(_services);
                session = CardinalSession.Open(stream, sessionOptions);
            }
            else session = CardinalSession.Open(o.ModelPath!, sessionOptions);
            try { session.Warmup(o.WarmupShapes ?? []); }
            catch { session.Dispose(); throw; }
            return session;
        }
        catch (Exception e)
        {
            entry.Error = e;
            throw;
        }
    }

    /// <summary>Disposes every session that was opened.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (Entry entry in _sessions.Values)
            if (entry.Session.IsValueCreated) entry.Session.Value.Dispose();
    }
}
