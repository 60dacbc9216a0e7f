using System.Security.Cryptography;

namespace Afml.FakeBinance.Streams;

/// <summary>The account's single listenKey: POST returns the active one (extended) or a new one, PUT extends,
/// DELETE invalidates; validity runs on the server clock.</summary>
internal sealed class ListenKeys(TimeSpan ttl)
{
    private readonly object _gate = new();
    private string? _key;
    private long _expiresAt;

    public string Create(long now)
    {
        lock (_gate)
        {
            if (_key is null || now >= _expiresAt)
                _key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            _expiresAt = now + (long)ttl.TotalMilliseconds;
            return _key;
        }
    }

    /// <summary>Extends the active key; null when there is none (→ -1125).</summary>
    public string? KeepAlive(string? key, long now)
    {
        lock (_gate)
        {
            if (_key is null || now >= _expiresAt || (key is not null && key != _key)) return null;
            _expiresAt = now + (long)ttl.TotalMilliseconds;
            return _key;
        }
    }

    public bool Delete(string? key)
    {
        lock (_gate)
        {
            if (_key is null || (key is not null && key != _key)) return false;
            _key = null;
            return true;
        }
    }

    public bool IsValid(string key, long now)
    {
        lock (_gate) return key == _key && now < _expiresAt;
    }

    public string? Active(long now)
    {
        lock (_gate) return _key is not null && now < _expiresAt ? _key : null;
    }

    /// <summary>Marks the active key expired now and returns it if it was still valid.</summary>
    public string? ExpireNow(long now)
    {
        lock (_gate)
        {
            if (_key is null) return null;
            var key = _key;
            _expiresAt = Math.Min(_expiresAt, now);
            return key;
        }
    }

    /// <summary>A key whose validity has run out and whose expiry was not yet announced.</summary>
    public string? TakeNewlyExpired(long now)
    {
        lock (_gate)
        {
            if (_key is null || now < _expiresAt) return null;
            var key = _key;
            _key = null;
            return key;
        }
    }
}
