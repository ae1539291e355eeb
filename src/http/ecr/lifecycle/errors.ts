// The lifecycle exceptions only ECR has, in AWS's words: the operations throw them after reading the store, as
// GetRepositoryPolicy does, so core needs no catalogue code for "no policy" or "preview still running".
import { EcrError } from '../errors.ts';

/** Where AWS's text is known (moto mirrors it) it is used verbatim; the two preview texts are berth's, AWS-styled. */
export const lifecycleErrors = {
  /** GetLifecyclePolicy, DeleteLifecyclePolicy, and StartLifecyclePolicyPreview without a text, on a repository without a policy. */
  policyNotFound(name: string, registryId: string): EcrError {
    return new EcrError(
      'LifecyclePolicyNotFoundException',
      `Lifecycle policy does not exist for the repository with name '${name}' in the registry with id '${registryId}'`,
    );
  },
  /** GetLifecyclePolicyPreview before any StartLifecyclePolicyPreview (or after the preview was discarded). */
  previewNotFound(name: string, registryId: string): EcrError {
    return new EcrError(
      'LifecyclePolicyPreviewNotFoundException',
      `Lifecycle policy preview does not exist for the repository with name '${name}' in the registry with id '${registryId}'`,
    );
  },
  /** StartLifecyclePolicyPreview while the repository's previous preview is still running (the model's own wording). */
  previewInProgress(name: string, registryId: string): EcrError {
    return new EcrError(
      'LifecyclePolicyPreviewInProgressException',
      `The previous lifecycle policy preview request for the repository with name '${name}' in the registry with id '${registryId}' has not completed. Wait and try again.`,
    );
  },
};
