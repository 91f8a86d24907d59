package io.raftmesh.server.xds;

/**
 * One xDS client stream as the server it is connected to sees it.
 *
 * @param server the control server holding the stream
 * @param stream the stream's number on that server
 * @param caller the client's mesh identity (its certificate's SPIFFE ID)
 * @param node the xDS node id the client sent (empty when it sent none)
 * @param delta whether the stream speaks delta xDS
 * @param ackedRevision the store revision whose configuration the client has acknowledged (0: none
 *     yet)
 * @param nackedRevision the version the client last refused (0: none)
 * @param nackReason why, in the client's words (empty: none)
 */
public record XdsClientStatus(
    String server,
    long stream,
    String caller,
    String node,
    boolean delta,
    long ackedRevision,
    long nackedRevision,
    String nackReason) {}
