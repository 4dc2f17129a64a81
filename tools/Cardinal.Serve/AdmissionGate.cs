namespace Cardinal.Serve;

/// <summary>
/// Bounds the requests in the service at once (decoding, waiting or running): past the capacity a request
/// is turned away at the door with 503 instead of queueing, so memory stays flat under any load.
/// </summary>
public sealed class AdmissionGate(int capacity)
{
    private int _inside;

    public int Capacity { get; } = capacity;
    public int Inside => Volatile.Read(ref _inside);

    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _inside) <= Capacity) return true;
        Interlocked.Decrement(ref _inside);
        return false;
    }

    public void Leave() => Interlocked.Decrement(ref _inside);
}
