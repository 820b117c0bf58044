package dev.ambit.ztunnel.pods;

import java.util.concurrent.CompletionStage;

/** What the pods socket drives: enroll a pod (open its listeners) or remove it. */
public interface PodLifecycle {

  /** Completes once the pod's listeners are open; fails with the reason otherwise. */
  CompletionStage<Void> add(PodSpec pod);

  /** Completes once the pod's listeners and connections are closed; unknown uids succeed. */
  CompletionStage<Void> remove(String uid);
}
