"""kube-controller-manager's controllers, driven by the store's changes."""
