package dev.authoraization.approval.ciba;

import java.net.URI;

/** Where the provider's CIBA endpoints and signing keys are (configured or discovered). */
public record CibaEndpoints(URI backchannelAuthentication, URI token, URI jwks) {}
