package dev.ambit.kube.waypoint;

/**
 * What every waypoint Deployment is made of, besides its Gateway: the image, the control plane's
 * xDS/CA address as seen from a pod, the audience of the projected token the waypoint presents to
 * the CA, the ConfigMap holding the mesh root (published by the control plane in the waypoint's
 * namespace) and the trust domain.
 */
public record WaypointTemplate(
    String image,
    String xdsAddress,
    String tokenAudience,
    String rootConfigMap,
    String trustDomain) {}
