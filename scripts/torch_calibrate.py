import sys, json, math, time, numpy as np, torch, torch.nn as nn
torch.set_num_threads(1)
sys.path.insert(0, '/work/shared/bench')
from torch_reference import *  # noqa
import torch_reference as tr
cfg = json.loads(sys.argv[1])
width, per, weights, epochs, model_kind = cfg['width'], cfg['per'], cfg['w'], cfg['epochs'], cfg.get('model','cnn')
lr = cfg.get('lr', 0.1); wd = cfg.get('wd', 0.0)
D='/work/shared/data/cifar-10-batches-bin/'
def load(files):
    X=[];Y=[]
    for f in files:
        a=np.fromfile(D+f,dtype=np.uint8).reshape(-1,3073); Y.append(a[:,0]); X.append(a[:,1:].reshape(-1,3,32,32))
    return np.concatenate(X), np.concatenate(Y)
Xtr,Ytr=load(['data_batch_%d.bin'%i for i in range(1,6)]); Xte,Yte=load(['test_batch.bin'])
rng=np.random.default_rng(cfg.get('seed',0))
def pick(X,Y,c,n): idx=np.where(Y==c)[0]; idx=rng.permutation(idx)[:n]; return X[idx]
def norm(x): return torch.tensor((x/255.0-0.5)/0.5,dtype=torch.float32)
dog, cat = 5, 3
tr_x = norm(np.concatenate([pick(Xtr,Ytr,dog,per), pick(Xtr,Ytr,cat,per)])); tr_y=torch.tensor([1]*per+[0]*per)
ti=cfg.get('test',250); te_x=norm(np.concatenate([pick(Xte,Yte,dog,ti),pick(Xte,Yte,cat,ti)]))
ood_idx=rng.permutation(np.where((Yte!=dog)&(Yte!=cat))[0])[:cfg.get('ood',1000)]; ood_x=norm(Xte[ood_idx])
def cnn(wm):
    c=lambda n:max(1,round(n*wm))
    return nn.Sequential(nn.Conv2d(3,c(64),3,bias=False),nn.ReLU(),nn.Conv2d(c(64),c(64),3,bias=False),nn.ReLU(),nn.MaxPool2d(2),
      nn.Conv2d(c(64),c(128),3,bias=False),nn.ReLU(),nn.Conv2d(c(128),c(128),3,bias=False),nn.ReLU(),nn.Conv2d(c(128),c(128),3,bias=False),nn.ReLU(),nn.MaxPool2d(2),
      nn.Flatten(),nn.Linear(16*c(128),c(512)),nn.ReLU(),nn.Linear(c(512),c(128)),nn.ReLU(),nn.Linear(c(128),2))
def frac(m,x):
    m.eval()
    with torch.no_grad(): p=torch.cat([m(x[i:i+500]).argmax(1) for i in range(0,len(x),500)])
    m.train(); return p.float().mean().item()
def logspaced(e): return e<=20 or math.floor(20*math.log10(e))!=math.floor(20*math.log10(e-1))
res={}
for w in weights:
    torch.manual_seed(cfg.get('seed',0))
    m=cnn(width)
    opt=torch.optim.SGD(m.parameters(),lr=lr,weight_decay=wd)
    lossf=nn.CrossEntropyLoss(weight=torch.tensor([1.0,w]))
    t0=time.time(); n=len(tr_y)
    for ep in range(1,epochs+1):
        perm=torch.randperm(n)
        for s in range(n//16):
            b=perm[s*16:(s+1)*16]; opt.zero_grad(); l=lossf(m(tr_x[b]),tr_y[b]); l.backward(); opt.step()
        if logspaced(ep) or ep==epochs:
            acc = (1-abs(frac(m,tr_x[tr_y==1])-1)) * 0.5 + (1-frac(m,tr_x[tr_y==0]))*0.5
            print(f"{time.time()-t0:.0f}s w={w} ep={ep} step={ep*(n//16)} loss={l.item():.4f} acc={acc:.3f} in={frac(m,te_x):.3f} ood={frac(m,ood_x):.3f}", flush=True)
